package org.iterpref.generator.source.openai;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The checks behind {@link OpenAiSourceSettings#validate()}. */
final class SettingsValidation {

    static final int MAX_TOKENS_LIMIT = 32_768;
    static final int MAX_TIMEOUT_MS = 3_600_000;
    static final int MAX_RETRIES_LIMIT = 10;
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private SettingsValidation() {
    }

    static List<SettingsProblem> validate(OpenAiSourceSettings s) {
        List<SettingsProblem> problems = new ArrayList<>();
        checkBaseUrl(s.baseUrl(), problems);
        if (s.model() == null || s.model().isBlank()) {
            problems.add(new SettingsProblem("model", "is required"));
        }
        if (s.apiKeyEnv() != null && !ENV_NAME.matcher(s.apiKeyEnv()).matches()) {
            problems.add(new SettingsProblem("apiKeyEnv",
                    "must be an environment variable name (letters, digits, _), not the key itself"));
        }
        checkNumbers(s, problems);
        checkReadableFile("apiKeyFile", s.apiKeyFile(), problems);
        checkReadableFile("firstPromptTemplate", s.firstPromptTemplate(), problems);
        checkReadableFile("refinePromptTemplate", s.refinePromptTemplate(), problems);
        return List.copyOf(problems);
    }

    private static void checkBaseUrl(String baseUrl, List<SettingsProblem> problems) {
        if (baseUrl == null || baseUrl.isBlank()) {
            problems.add(new SettingsProblem("baseUrl", "is required"));
            return;
        }
        URI uri;
        try {
            uri = new URI(baseUrl);
        } catch (URISyntaxException e) {
            problems.add(new SettingsProblem("baseUrl", "is not a valid URL: " + e.getReason()));
            return;
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            problems.add(new SettingsProblem("baseUrl", "must be an http:// or https:// URL"));
        } else if (uri.getHost() == null) {
            problems.add(new SettingsProblem("baseUrl", "must name a host"));
        } else if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            problems.add(new SettingsProblem("baseUrl", "must not have a query or fragment"));
        }
    }

    private static void checkNumbers(OpenAiSourceSettings s, List<SettingsProblem> problems) {
        double temperature = s.temperature();
        if (Double.isNaN(temperature) || temperature < 0 || temperature > 2) {
            problems.add(new SettingsProblem("temperature", "must be between 0 and 2"));
        }
        if (s.topP() != null && (s.topP().isNaN() || s.topP() <= 0 || s.topP() > 1)) {
            problems.add(new SettingsProblem("topP", "must be greater than 0 and at most 1"));
        }
        if (s.maxTokens() < 1 || s.maxTokens() > MAX_TOKENS_LIMIT) {
            problems.add(new SettingsProblem("maxTokens", "must be between 1 and " + MAX_TOKENS_LIMIT));
        }
        if (s.timeoutMs() < 1 || s.timeoutMs() > MAX_TIMEOUT_MS) {
            problems.add(new SettingsProblem("timeoutMs", "must be between 1 and " + MAX_TIMEOUT_MS));
        }
        if (s.maxRetries() < 0 || s.maxRetries() > MAX_RETRIES_LIMIT) {
            problems.add(new SettingsProblem("maxRetries", "must be between 0 and " + MAX_RETRIES_LIMIT));
        }
    }

    private static void checkReadableFile(String field, String path, List<SettingsProblem> problems) {
        if (path == null) {
            return;
        }
        try {
            Path file = Path.of(path);
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                problems.add(new SettingsProblem(field, "no readable file at " + path));
            }
        } catch (InvalidPathException e) {
            problems.add(new SettingsProblem(field, "is not a valid path: " + e.getReason()));
        }
    }
}
