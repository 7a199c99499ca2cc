package org.iterpref.generator.source.openai;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.iterpref.generator.config.GeneratorProperties.ModelServer;

/**
 * Turns what a run asks for ({@link OpenAiSourceRequest}) into what the service will do
 * ({@link ResolvedOpenAiSource}) under the operator's rules: a named server from
 * {@code iterpref.generator.model-servers} (its URL and key, its allowed models, its timeouts as
 * caps), or a {@code baseUrl} the allow-list permits with an optional inline key; prompt templates
 * inline or by name from the {@link PromptTemplateLibrary}. Problems name the request's fields;
 * a problem with the operator's own server settings is reported against {@code server} without
 * its details (variable names and paths are the operator's).
 */
public final class OpenAiSourceResolver {

    static final int MAX_INLINE_TEMPLATE_CHARS = 65_536;
    /** Fields of the operator's server settings: a problem with them is not the caller's to see. */
    private static final Set<String> SERVER_FIELDS = Set.of("baseUrl", "apiKeyEnv", "apiKeyFile");

    private final Map<String, ModelServer> servers;
    private final BaseUrlAllowList allowedBaseUrls;
    private final PromptTemplateLibrary templates;
    private final ApiKeyResolver keys;

    public OpenAiSourceResolver(Map<String, ModelServer> servers, BaseUrlAllowList allowedBaseUrls,
            PromptTemplateLibrary templates, ApiKeyResolver keys) {
        this.servers = Map.copyOf(servers);
        this.allowedBaseUrls = allowedBaseUrls;
        this.templates = templates;
        this.keys = keys;
    }

    /** @throws InvalidSourceSettingsException naming every field at fault */
    public ResolvedOpenAiSource resolve(OpenAiSourceRequest request) {
        List<SettingsProblem> problems = new ArrayList<>();
        String server = blankToNull(request.server());
        String baseUrl = blankToNull(request.baseUrl());
        ModelServer named = null;
        if (server != null && baseUrl != null) {
            problems.add(new SettingsProblem("baseUrl", "give either server or baseUrl, not both"));
        } else if (server != null) {
            named = servers.get(server);
            if (named == null) {
                problems.add(new SettingsProblem("server", "no model server named '" + server + "'"
                        + (servers.isEmpty() ? " (none is configured)" : "; configured: " + String.join(", ",
                        servers.keySet().stream().sorted().toList()))));
            }
        } else if (baseUrl == null) {
            problems.add(new SettingsProblem("server", "is required: the name of a configured model server"));
        } else if (!allowedBaseUrls.allows(baseUrl)) {
            problems.add(new SettingsProblem("baseUrl", allowedBaseUrls.isEmpty()
                    ? "is not accepted here: name a configured model server (source.server)"
                    : "is not on the operator's allow-list of base URLs (iterpref.generator.allowed-base-urls)"));
        }
        if (request.apiKey() != null && server != null) {
            problems.add(new SettingsProblem("apiKey", "only with baseUrl: a named server has its own key"));
        } else if (request.apiKey() != null && request.apiKey().isBlank()) {
            problems.add(new SettingsProblem("apiKey", "must not be blank"));
        }
        if (named != null && request.model() != null && !named.models().isEmpty()
                && !named.models().contains(request.model().strip())) {
            problems.add(new SettingsProblem("model", "model '" + request.model().strip() + "' is not served by '"
                    + server + "'; allowed: " + String.join(", ", named.models())));
        }
        if (named != null) {
            capped("timeoutMs", request.timeoutMs(), named.timeoutMs(), problems);
            capped("maxRetries", request.maxRetries(), named.maxRetries(), problems);
        }
        String first = template("firstPrompt", request.firstPrompt(), "firstPromptTemplate",
                request.firstPromptTemplate(), "first-attempt", problems);
        String refine = template("refinePrompt", request.refinePrompt(), "refinePromptTemplate",
                request.refinePromptTemplate(), "refine", problems);
        OpenAiSourceSettings settings = new OpenAiSourceSettings(
                named != null ? named.baseUrl() : baseUrl, request.model(),
                named != null ? named.apiKeyEnv() : null, named != null ? named.apiKeyFile() : null,
                request.temperature(), request.topP(), request.maxTokens(),
                request.timeoutMs() != null ? request.timeoutMs() : named != null ? named.timeoutMs() : null,
                request.maxRetries() != null ? request.maxRetries() : named != null ? named.maxRetries() : null,
                null, null, request.systemPrompt());
        if (named != null || baseUrl != null) {
            for (SettingsProblem p : settings.validate()) {
                problems.add(named != null && SERVER_FIELDS.contains(p.field())
                        ? new SettingsProblem("server", "model server '" + server + "' is misconfigured")
                        : p);
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidSourceSettingsException(problems);
        }
        Optional<ApiKey> key;
        if (named != null) {
            try {
                key = keys.resolve(settings);
            } catch (InvalidSourceSettingsException e) {
                throw new InvalidSourceSettingsException(List.of(new SettingsProblem("server",
                        "the API key of model server '" + server + "' is not available")));
            }
        } else {
            key = Optional.ofNullable(request.apiKey()).map(k -> new ApiKey(k.strip()));
        }
        ContextWindowSettings window = named == null ? ContextWindowSettings.NONE
                : new ContextWindowSettings(named.contextLength(), named.bytesPerToken());
        return new ResolvedOpenAiSource(settings, key, new PromptTemplates(first, refine), server, window);
    }

    private String template(String inlineField, String inline, String nameField, String name, String bundled,
            List<SettingsProblem> problems) {
        if (inline != null && name != null) {
            problems.add(new SettingsProblem(nameField, "give either " + inlineField + " or " + nameField));
            return "";
        }
        if (inline != null) {
            if (inline.isBlank() || inline.length() > MAX_INLINE_TEMPLATE_CHARS) {
                problems.add(new SettingsProblem(inlineField, "must be non-blank text of at most "
                        + MAX_INLINE_TEMPLATE_CHARS + " characters"));
            }
            return inline;
        }
        try {
            return templates.load(nameField, name == null ? bundled : name.strip());
        } catch (InvalidSourceSettingsException e) {
            problems.addAll(e.problems());
            return "";
        }
    }

    private static void capped(String field, Integer asked, Integer cap, List<SettingsProblem> problems) {
        if (asked != null && cap != null && asked > cap) {
            problems.add(new SettingsProblem(field, "must be at most " + cap + " for this model server"));
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
