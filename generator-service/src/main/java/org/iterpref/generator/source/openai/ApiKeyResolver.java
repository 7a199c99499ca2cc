package org.iterpref.generator.source.openai;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the API key named by the settings: the content of {@code apiKeyFile} (stripped) when set,
 * otherwise the environment variable {@code apiKeyEnv}, otherwise none. The environment lookup is
 * injected ({@code System::getenv} in production) so tests need no real variables. Logs where the
 * key came from, never the key.
 */
public class ApiKeyResolver {

    private static final Logger log = LoggerFactory.getLogger(ApiKeyResolver.class);

    private final Function<String, String> environment;

    public ApiKeyResolver(Function<String, String> environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    /**
     * @throws InvalidSourceSettingsException when the named file cannot be read or is empty, or the
     *                                        named variable is not set or blank
     */
    public Optional<ApiKey> resolve(OpenAiSourceSettings settings) {
        if (settings.apiKeyFile() != null) {
            return Optional.of(fromFile(settings.apiKeyFile()));
        }
        if (settings.apiKeyEnv() != null) {
            return Optional.of(fromEnvironment(settings.apiKeyEnv()));
        }
        log.debug("No API key configured for model {}: no Authorization header", settings.model());
        return Optional.empty();
    }

    private ApiKey fromFile(String path) {
        String content;
        try {
            content = Files.readString(Path.of(path), StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            throw problem("apiKeyFile", "cannot read " + path + " (" + e.getClass().getSimpleName() + ")");
        }
        if (content.isEmpty()) {
            throw problem("apiKeyFile", path + " is empty");
        }
        log.debug("API key read from file {}", path);
        return new ApiKey(content);
    }

    private ApiKey fromEnvironment(String name) {
        String value = environment.apply(name);
        if (value == null || value.isBlank()) {
            throw problem("apiKeyEnv", "environment variable " + name + " is not set");
        }
        log.debug("API key read from environment variable {}", name);
        return new ApiKey(value.strip());
    }

    private static InvalidSourceSettingsException problem(String field, String message) {
        return new InvalidSourceSettingsException(List.of(new SettingsProblem(field, message)));
    }
}
