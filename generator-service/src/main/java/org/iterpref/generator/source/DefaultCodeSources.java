package org.iterpref.generator.source;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.iterpref.generator.executor.TestRunner;
import org.iterpref.generator.source.buginjection.BugInjectionSource;
import org.iterpref.generator.source.buginjection.PlanStore;
import org.iterpref.generator.source.openai.OpenAiCodeSourceFactory;
import org.iterpref.generator.source.openai.OpenAiSourceSettings;
import org.iterpref.generator.source.openai.SettingsProblem;
import org.iterpref.common.problem.FieldError;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The two code sources: {@code {"type": "bug-injection"}} (offline, synthetic) and
 * {@code {"type": "openai", "baseUrl": ..., "model": ..., ...}} (any OpenAI-compatible server).
 */
@Component
public class DefaultCodeSources implements CodeSources {

    static final String BUG_INJECTION = "bug-injection";
    static final String OPENAI = "openai";
    static final int MAX_CACHED_SOURCES = 64;

    private final BugInjectionSource bugInjection;
    private final OpenAiCodeSourceFactory openAi;
    private final JsonMapper json;
    /** Model sources by their settings: templates and keys are read once, not per trajectory. */
    private final Map<String, CodeSource> openAiSources = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, CodeSource> eldest) {
                    return size() > MAX_CACHED_SOURCES;
                }
            });

    public DefaultCodeSources(TestRunner executor, JsonMapper json, PlanStore plans) {
        this.bugInjection = new BugInjectionSource(executor, plans);
        this.openAi = OpenAiCodeSourceFactory.standard();
        this.json = json;
    }

    @Override
    public List<FieldError> validate(JsonNode source) {
        String type = type(source);
        List<FieldError> errors = new ArrayList<>();
        if (BUG_INJECTION.equals(type)) {
            Iterator<String> names = source.propertyNames().iterator();
            names.forEachRemaining(name -> {
                if (!name.equals("type")) {
                    errors.add(new FieldError("source." + name, "unknown field for the bug-injection source"));
                }
            });
        } else if (OPENAI.equals(type)) {
            try {
                for (SettingsProblem p : settings(source).validate()) {
                    errors.add(new FieldError("source." + p.field(), p.message()));
                }
            } catch (JacksonException e) {
                errors.add(new FieldError("source" + path(e), e.getOriginalMessage()));
            }
        } else {
            errors.add(new FieldError("source.type", "unknown source type '" + type + "'; one of: bug-injection, openai"));
        }
        return errors;
    }

    @Override
    public CodeSource create(JsonNode source) {
        return switch (type(source)) {
            case BUG_INJECTION -> bugInjection;
            case OPENAI -> openAiSources.computeIfAbsent(source.toString(), key -> openAi.create(settings(source)));
            default -> throw new IllegalArgumentException("unknown source type " + type(source));
        };
    }

    private OpenAiSourceSettings settings(JsonNode source) {
        ObjectNode copy = ((ObjectNode) source).deepCopy();
        copy.remove("type");
        return json.treeToValue(copy, OpenAiSourceSettings.class);
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
}
