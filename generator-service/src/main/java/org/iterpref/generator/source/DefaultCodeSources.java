package org.iterpref.generator.source;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.iterpref.common.problem.FieldError;
import org.iterpref.generator.config.GeneratorProperties;
import org.iterpref.generator.executor.TestRunner;
import org.iterpref.generator.source.buginjection.BugInjectionSource;
import org.iterpref.generator.source.reference.ReferenceSource;
import org.iterpref.generator.source.buginjection.PlanStore;
import org.iterpref.generator.source.openai.ApiKeyResolver;
import org.iterpref.generator.source.openai.BaseUrlAllowList;
import org.iterpref.generator.source.openai.InvalidSourceSettingsException;
import org.iterpref.generator.source.openai.OpenAiCodeSourceFactory;
import org.iterpref.generator.source.openai.OpenAiSourceRequest;
import org.iterpref.generator.source.openai.OpenAiSourceResolver;
import org.iterpref.generator.source.openai.PromptTemplateLibrary;
import org.iterpref.generator.source.openai.SettingsProblem;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The code sources: {@code {"type": "bug-injection"}} (offline, synthetic), {@code {"type": "reference"}}
 * (each task's reference solution: the sanity check of evaluations) and
 * {@code {"type": "openai", "server": NAME, "model": ..., ...}} (an operator-configured
 * OpenAI-compatible server, or an allow-listed {@code baseUrl} with an inline {@code apiKey}).
 *
 * <p>An inline key is never stored: the stored document has {@code apiKey} replaced by
 * {@code inlineKeyRef}, a random reference to the source kept in this instance's memory. A job of
 * such a run that another instance claims, or that outlives a restart, cannot get the key and ends
 * ERRORED; runs that must survive restarts name a configured server.
 */
@Component
public class DefaultCodeSources implements CodeSources {

    static final String BUG_INJECTION = "bug-injection";
    static final String REFERENCE = "reference";
    static final String OPENAI = "openai";
    static final int MAX_CACHED_SOURCES = 64;
    static final int MAX_INLINE_KEY_SOURCES = 1024;
    /** Stored in place of an inline key; never accepted from a caller (not a request field). */
    static final String INLINE_KEY_REF = "inlineKeyRef";
    /** Fields of the old request form: they let a caller pick the service's secrets and files. */
    private static final Map<String, String> REMOVED_FIELDS = Map.of(
            "apiKeyEnv", "is no longer accepted: API keys are the operator's; name a configured model server (source.server)",
            "apiKeyFile", "is no longer accepted: API keys are the operator's; name a configured model server (source.server)");
    private static final Set<String> OPENAI_FIELDS = Stream.concat(Stream.of("type"),
            Stream.of(OpenAiSourceRequest.class.getRecordComponents()).map(c -> c.getName()))
            .collect(Collectors.toUnmodifiableSet());

    private final BugInjectionSource bugInjection;
    private final ReferenceSource reference = new ReferenceSource();
    private final OpenAiCodeSourceFactory openAi;
    private final OpenAiSourceResolver resolver;
    private final JsonMapper json;
    /** Model sources by their stored document: templates and keys are read once, not per trajectory. */
    private final Map<String, CodeSource> openAiSources = lru(MAX_CACHED_SOURCES);
    /** Sources with an inline key, by their reference: the only place the key is kept. */
    private final Map<String, CodeSource> inlineKeySources = lru(MAX_INLINE_KEY_SOURCES);

    public DefaultCodeSources(TestRunner executor, JsonMapper json, GeneratorProperties properties, PlanStore plans) {
        this.bugInjection = new BugInjectionSource(executor, plans);
        this.openAi = OpenAiCodeSourceFactory.standard();
        this.resolver = new OpenAiSourceResolver(properties.modelServers(),
                new BaseUrlAllowList(properties.allowedBaseUrls()),
                new PromptTemplateLibrary(properties.promptTemplatesDir() == null ? null
                        : Path.of(properties.promptTemplatesDir())),
                new ApiKeyResolver(System::getenv));
        this.json = json;
    }

    @Override
    public List<FieldError> validate(JsonNode source) {
        String type = type(source);
        List<FieldError> errors = new ArrayList<>();
        if (BUG_INJECTION.equals(type) || REFERENCE.equals(type)) {
            source.propertyNames().forEach(name -> {
                if (!name.equals("type")) {
                    errors.add(new FieldError("source." + name, "unknown field for the " + type + " source"));
                }
            });
        } else if (OPENAI.equals(type)) {
            source.propertyNames().forEach(name -> {
                if (REMOVED_FIELDS.containsKey(name)) {
                    errors.add(new FieldError("source." + name, REMOVED_FIELDS.get(name)));
                } else if (!OPENAI_FIELDS.contains(name)) {
                    errors.add(new FieldError("source." + name, "unknown field for the openai source"));
                }
            });
            if (errors.isEmpty()) {
                try {
                    resolver.resolve(request(source));
                } catch (InvalidSourceSettingsException e) {
                    for (SettingsProblem p : e.problems()) {
                        errors.add(new FieldError("source." + p.field(), p.message()));
                    }
                } catch (JacksonException e) {
                    errors.add(new FieldError("source" + path(e), "wrong type or value"));
                }
            }
        } else {
            errors.add(new FieldError("source.type", "unknown source type '" + type + "'; one of: bug-injection, openai, reference"));
        }
        return errors;
    }

    @Override
    public Prepared prepare(JsonNode source) {
        if (!OPENAI.equals(type(source)) || !source.has("apiKey")) {
            return new Prepared(create(source), source);
        }
        CodeSource created = openAi.create(resolver.resolve(request(source)));
        String ref = UUID.randomUUID().toString();
        inlineKeySources.put(ref, created);
        ObjectNode stored = ((ObjectNode) source).deepCopy();
        stored.remove("apiKey");
        stored.put(INLINE_KEY_REF, ref);
        return new Prepared(created, stored);
    }

    @Override
    public CodeSource create(JsonNode stored) {
        return switch (type(stored)) {
            case BUG_INJECTION -> bugInjection;
            case REFERENCE -> reference;
            case OPENAI -> stored.has(INLINE_KEY_REF) ? inlineKeySource(stored.get(INLINE_KEY_REF).asString())
                    : openAiSources.computeIfAbsent(stored.toString(), key -> openAi.create(resolver.resolve(request(stored))));
            default -> throw new IllegalArgumentException("unknown source type " + type(stored));
        };
    }

    private CodeSource inlineKeySource(String ref) {
        CodeSource source = inlineKeySources.get(ref);
        if (source == null) {
            throw new IllegalStateException("this run's inline API key is not stored and is not in this instance's"
                    + " memory (another instance accepted the run, or this one restarted); name a configured"
                    + " model server for runs that must survive that");
        }
        return source;
    }

    private OpenAiSourceRequest request(JsonNode source) {
        ObjectNode copy = ((ObjectNode) source).deepCopy();
        copy.remove("type");
        copy.remove(INLINE_KEY_REF);
        return json.treeToValue(copy, OpenAiSourceRequest.class);
    }

    private static String type(JsonNode source) {
        JsonNode type = source == null ? null : source.get("type");
        return type == null || !type.isString() ? "" : type.asString();
    }

    private static String path(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                path.append('.').append(ref.getPropertyName());
            }
        }
        return path.toString();
    }

    private static Map<String, CodeSource> lru(int capacity) {
        return Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, CodeSource> eldest) {
                return size() > capacity;
            }
        });
    }
}
