package org.iterpref.trainer.serving;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.iterpref.trainer.chat.ChatTemplateEngine;
import org.iterpref.trainer.config.TrainerProperties;
import org.iterpref.trainer.model.DecoderModel;
import org.iterpref.trainer.model.Engines;
import org.iterpref.trainer.tokenizer.TextTokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * The configured models, each loaded once at start-up (chat template parsed) and shared by all
 * requests; their managers (weights) and tokenizers are closed on shutdown. A {@code classpath:}
 * model is copied to a temporary directory first (the loaders need files), removed again on close.
 */
@Component
public class ModelRegistry implements AutoCloseable {

    static final String CLASSPATH = "classpath:";
    static final String THREADS_PROPERTY = "ai.djl.pytorch.num_threads";
    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);

    private final Map<String, LoadedModel> models = new LinkedHashMap<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<Path> tempDirs = new ArrayList<>();

    public ModelRegistry(TrainerProperties properties, ChatTemplateEngine chatTemplates) {
        if (properties.threads() > 0 && System.getProperty(THREADS_PROPERTY) == null) {
            System.setProperty(THREADS_PROPERTY, Integer.toString(properties.threads()));
        }
        try {
            for (Map.Entry<String, String> entry : properties.models().entrySet()) {
                models.put(entry.getKey(), load(entry.getKey(), entry.getValue(), chatTemplates));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private LoadedModel load(String name, String location, ChatTemplateEngine chatTemplates) {
        Path dir = location.startsWith(CLASSPATH) ? extract(name, location.substring(CLASSPATH.length())) : Path.of(location);
        NDManager manager = Engines.newCpuManager();
        resources.add(manager);
        DecoderModel model = DecoderModel.load(dir, manager);
        TextTokenizer tokenizer = TextTokenizer.open(dir);
        resources.add(tokenizer);
        int context = model.config().maxPositionEmbeddings();
        log.info("model '{}' loaded from {}: {}", name, location, model.config().describe());
        return new LoadedModel(name, model, tokenizer, context,
                ModelChatTemplate.prepare(name, tokenizer, chatTemplates));
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
            tempDirs.add(target);
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

    /** The model served under {@code name}. */
    public Optional<LoadedModel> find(String name) {
        return Optional.ofNullable(name == null ? null : models.get(name));
    }

    /** The model served under {@code name}, or the OpenAI "model not found" error (404, param model). */
    LoadedModel require(String name) {
        return find(name).orElseThrow(() -> new OpenAiException(org.springframework.http.HttpStatus.NOT_FOUND,
                "invalid_request_error", "The model '" + name + "' does not exist.", "model", "model_not_found"));
    }

    /** All served models, in configuration order. */
    public Collection<LoadedModel> all() {
        return List.copyOf(models.values());
    }

    @Override
    public synchronized void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                log.warn("closing a model resource failed", e);
            }
        }
        resources.clear();
        models.clear();
        for (Path dir : tempDirs) {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                log.warn("cannot remove {}", dir, e);
            }
        }
        tempDirs.clear();
    }
}
