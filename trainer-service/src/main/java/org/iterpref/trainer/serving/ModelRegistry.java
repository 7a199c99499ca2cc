package org.iterpref.trainer.serving;

import ai.djl.ndarray.NDManager;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.iterpref.trainer.chat.ChatTemplateEngine;
import org.iterpref.trainer.checkpoint.CheckpointException;
import org.iterpref.trainer.config.TrainerProperties;
import org.iterpref.trainer.model.DecoderModel;
import org.iterpref.trainer.model.Engines;
import org.iterpref.trainer.tokenizer.TextTokenizer;
import org.iterpref.trainer.tokenizer.TokenizerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The served models: those configured ({@code iterpref.trainer.models}), loaded at start-up,
 * those registered later over the admin API, and those loaded on demand — fine-tuned models and
 * checkpoints registered by the job layer ({@link #registerInternal}) or found by a
 * {@link ModelLocator} after a restart; when {@code max-models} are loaded, an on-demand model
 * no request holds makes room for another. A model is loaded once and shared; requests
 * {@link #lease} it, and an unregistered model's weights and tokenizer are freed when its last
 * lease closes, so unloading never pulls memory from under a running generation. A
 * {@code classpath:} model is copied to a temporary directory first (the loaders need files). A
 * model's chat template is parsed once, when it is loaded.
 */
@Component
public class ModelRegistry implements AutoCloseable {

    static final String CLASSPATH = "classpath:";
    static final String THREADS_PROPERTY = "ai.djl.pytorch.num_threads";
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}");
    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);

    private final Map<String, ServedModel> models = new ConcurrentHashMap<>();
    private final List<String> order = new ArrayList<>();
    private final TrainerProperties properties;
    private final Object registration = new Object();
    private final ChatTemplateEngine chatTemplates;
    /** On-demand models registered by the job layer: name to directory, loaded at the first request. */
    private final Map<String, Path> internal = new ConcurrentHashMap<>();
    private final ObjectProvider<ModelLocator> locators;

    public ModelRegistry(TrainerProperties properties, ChatTemplateEngine chatTemplates, MeterRegistry meters,
                         ObjectProvider<ModelLocator> locators) {
        this.properties = properties;
        this.chatTemplates = chatTemplates;
        this.locators = locators;
        if (properties.threads() > 0 && System.getProperty(THREADS_PROPERTY) == null) {
            System.setProperty(THREADS_PROPERTY, Integer.toString(properties.threads()));
        }
        try {
            for (Map.Entry<String, String> entry : properties.models().entrySet()) {
                add(load(entry.getKey(), entry.getValue(), ServedModel.Source.CONFIGURATION));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        Gauge.builder("trainer.models.loaded", models, Map::size).description("models being served").register(meters);
        Gauge.builder("trainer.model.ndarrays", this, ModelRegistry::liveArrays)
                .description("native arrays held by the served models (weights, caches, scratch)").register(meters);
    }

    /** A request's hold on a model: the model stays loaded until every lease on it is closed. */
    public static final class Lease implements AutoCloseable {

        private final ServedModel entry;
        private final AtomicBoolean open = new AtomicBoolean(true);

        private Lease(ServedModel entry) {
            this.entry = entry;
        }

        public LoadedModel model() {
            return entry.loaded;
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                entry.release();
            }
        }
    }

    /**
     * The model served under {@code name}, leased (an on-demand model is loaded first); or the
     * OpenAI "model not found" error (404, param model).
     */
    public Lease lease(String name) {
        ServedModel entry = name == null ? null : models.get(name);
        if (entry == null || !entry.retain()) {
            entry = loadOnDemand(name);
        }
        return new Lease(entry);
    }

    /** Whether {@code name} is served: loaded, or known to be loadable on demand. */
    public boolean isServable(String name) {
        return name != null && (models.containsKey(name) || directory(name).isPresent());
    }

    /**
     * The Hugging Face directory {@code name} is (or would be) loaded from: the configured or
     * registered path, the temporary copy of a {@code classpath:} model, or an on-demand model's.
     */
    public Optional<Path> directory(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        ServedModel entry = models.get(name);
        if (entry != null) {
            return Optional.of(entry.directory);
        }
        Path registered = internal.get(name);
        return registered != null ? Optional.of(registered) : locate(name);
    }

    /** Whether {@code name} is a valid served-model id: 1-128 of letters, digits and . _ : / -. */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * Registers a model directory the service itself wrote (a fine-tuning checkpoint or final
     * model under the storage root), bypassing {@code admin-model-root}: it is loaded at the
     * first request for it, and may be unloaded again to make room for others.
     */
    public void registerInternal(String name, Path dir) {
        if (!isValidName(name)) {
            throw new IllegalArgumentException("not a valid model id: " + name);
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("not a model directory: " + dir);
        }
        internal.put(name, dir);
    }

    private Optional<Path> locate(String name) {
        return locators.orderedStream().map(locator -> locator.locate(name)).flatMap(Optional::stream).findFirst();
    }

    private ServedModel loadOnDemand(String name) {
        Optional<Path> dir = directory(name);
        if (dir.isEmpty()) {
            throw notFound(name);
        }
        synchronized (registration) {
            ServedModel entry = models.get(name);
            if (entry != null && entry.retain()) {
                return entry;
            }
            makeRoom(name);
            try {
                entry = load(name, dir.get().toString(), ServedModel.Source.FINE_TUNING);
            } catch (CheckpointException | TokenizerException e) {
                throw new OpenAiException(HttpStatus.INTERNAL_SERVER_ERROR, "server_error", "The model '" + name
                        + "' cannot be loaded: " + e.getMessage(), "model", null);
            }
            add(entry);
            entry.retain();
            return entry;
        }
    }

    /** Under {@code registration}: frees the least recently used on-demand model no request holds. */
    private void makeRoom(String name) {
        if (models.size() < properties.maxModels()) {
            return;
        }
        ServedModel victim = models.values().stream()
                .filter(e -> e.source == ServedModel.Source.FINE_TUNING && e.idle())
                .min(Comparator.comparingLong(e -> e.lastUsed)).orElse(null);
        if (victim == null) {
            throw new OpenAiException(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "The model '" + name
                    + "' cannot be loaded now: this server already serves " + models.size()
                    + " models (iterpref.trainer.max-models) and all are in use; try again later.", "model",
                    "too_many_models");
        }
        String victimName = victim.loaded.name();
        models.remove(victimName);
        synchronized (order) {
            order.remove(victimName);
        }
        victim.retire();
        log.info("model '{}' unloaded to make room for '{}'", victimName, name);
    }

    private static OpenAiException notFound(String name) {
        return new OpenAiException(HttpStatus.NOT_FOUND, "invalid_request_error",
                "The model '" + name + "' does not exist.", "model", "model_not_found");
    }

    /** The model served under {@code name}, without a lease (for listings and tests). */
    public Optional<LoadedModel> find(String name) {
        ServedModel entry = name == null ? null : models.get(name);
        return Optional.ofNullable(entry == null ? null : entry.loaded);
    }

    /** All served models, configured ones first, then in registration order. */
    public Collection<LoadedModel> all() {
        synchronized (order) {
            return order.stream().map(models::get).filter(e -> e != null).map(e -> e.loaded).toList();
        }
    }

    /** Where a served model came from: {@code configuration}, {@code api} (admin) or {@code fine-tuning}. */
    String source(String name) {
        ServedModel entry = models.get(name);
        return entry == null ? null : entry.source.label;
    }

    /**
     * Loads the Hugging Face model directory {@code path} (which must lie under
     * {@code iterpref.trainer.admin-model-root}) and serves it as {@code name}.
     */
    public LoadedModel register(String name, String path) {
        Path root = adminRoot();
        if (name == null || !NAME.matcher(name).matches()) {
            throw OpenAiException.invalid("id", "'id' must be 1-128 characters: letters, digits and . _ : / -, "
                    + "starting with a letter or digit.");
        }
        if (path == null || path.isBlank()) {
            throw OpenAiException.invalid("path", "'path' is required: a model directory under " + root + ".");
        }
        Path dir = resolveUnder(root, path);
        synchronized (registration) {
            if (models.containsKey(name)) {
                throw new OpenAiException(HttpStatus.CONFLICT, "invalid_request_error",
                        "A model named '" + name + "' is already served.", "id", "model_exists");
            }
            if (models.size() >= properties.maxModels()) {
                throw new OpenAiException(HttpStatus.CONFLICT, "invalid_request_error", "This server already serves "
                        + models.size() + " models (iterpref.trainer.max-models); unload one first.", "id",
                        "too_many_models");
            }
            ServedModel entry;
            try {
                entry = load(name, dir.toString(), ServedModel.Source.API);
            } catch (CheckpointException | TokenizerException e) {
                throw OpenAiException.invalid("path", "Cannot load model '" + name + "': " + e.getMessage());
            }
            add(entry);
            return entry.loaded;
        }
    }

    /**
     * Stops serving {@code name}; its memory is freed at once, or when the last request using it ends.
     */
    public void unregister(String name) {
        synchronized (registration) {
            ServedModel entry = models.remove(name);
            if (entry == null) {
                throw notFound(name);
            }
            synchronized (order) {
                order.remove(name);
            }
            entry.retire();
            log.info("model '{}' unregistered", name);
        }
    }

    private Path adminRoot() {
        if (properties.adminModelRoot() == null) {
            throw new OpenAiException(HttpStatus.FORBIDDEN, "invalid_request_error",
                    "Registering models over the API is turned off: set iterpref.trainer.admin-model-root to the "
                            + "directory models may be loaded from.", null, "registration_disabled");
        }
        try {
            return Path.of(properties.adminModelRoot()).toRealPath();
        } catch (IOException e) {
            throw new IllegalStateException("iterpref.trainer.admin-model-root " + properties.adminModelRoot()
                    + " is not a readable directory", e);
        }
    }

    private static Path resolveUnder(Path root, String path) {
        Path dir;
        try {
            dir = root.resolve(path).toRealPath();
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw OpenAiException.invalid("path", "'path' " + path + " is not an existing directory under " + root + ".");
        }
        if (!dir.startsWith(root) || !Files.isDirectory(dir)) {
            throw OpenAiException.invalid("path", "'path' must be a model directory under " + root + ": " + path);
        }
        return dir;
    }

    private void add(ServedModel entry) {
        models.put(entry.loaded.name(), entry);
        synchronized (order) {
            order.add(entry.loaded.name());
        }
    }

    private ServedModel load(String name, String location, ServedModel.Source source) {
        Path temp = null;
        NDManager manager = null;
        TextTokenizer tokenizer = null;
        try {
            Path dir;
            if (location.startsWith(CLASSPATH)) {
                temp = extract(name, location.substring(CLASSPATH.length()));
                dir = temp;
            } else {
                dir = Path.of(location);
            }
            manager = Engines.newManager(properties.device());
            DecoderModel model = DecoderModel.load(dir, manager, properties.computeType());
            tokenizer = TextTokenizer.open(dir);
            int context = model.config().maxPositionEmbeddings();
            log.info("model '{}' loaded from {} on {} in {}: {}", name, location, model.device(),
                    model.dataType(), model.config().describe());
            LoadedModel loaded = new LoadedModel(name, model, tokenizer, context,
                    ModelChatTemplate.prepare(name, tokenizer, chatTemplates));
            return new ServedModel(loaded, manager, temp, dir, source);
        } catch (RuntimeException e) {
            ServedModel.closeQuietly(tokenizer);
            ServedModel.closeQuietly(manager);
            ServedModel.deleteTree(temp);
            throw e;
        }
    }

    private Path extract(String name, String classpathDir) {
        String dir = classpathDir.endsWith("/") ? classpathDir : classpathDir + "/";
        try {
            Resource[] files = new PathMatchingResourcePatternResolver(getClass().getClassLoader())
                    .getResources(CLASSPATH + dir + "*");
            if (files.length == 0) {
                throw new IllegalStateException("model '" + name + "': nothing on the class path at " + dir);
            }
            Path target = Files.createTempDirectory("iterpref-model-");
            for (Resource file : files) {
                String fileName = file.getFilename();
                if (fileName == null || fileName.isEmpty() || !file.isReadable()) {
                    continue;
                }
                try (InputStream in = file.getInputStream()) {
                    Files.copy(in, target.resolve(fileName), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("model '" + name + "': cannot extract " + dir, e);
        }
    }

    /** Native arrays held by all served models. */
    long liveArrays() {
        return models.values().stream().mapToLong(e -> e.loaded.model().liveArrays()).sum();
    }

    @Override
    public void close() {
        synchronized (registration) {
            for (ServedModel entry : List.copyOf(models.values())) {
                entry.free();
            }
            models.clear();
            synchronized (order) {
                order.clear();
            }
        }
    }
}
