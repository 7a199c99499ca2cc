package org.iterpref.generator.source.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpenAiSourceSettingsTest {

    @TempDir
    Path dir;

    private static OpenAiSourceSettings settings(String baseUrl, String model, Double temperature, Double topP,
            Integer maxTokens, Integer timeoutMs, Integer maxRetries) {
        return new OpenAiSourceSettings(baseUrl, model, null, null, temperature, topP, maxTokens, timeoutMs,
                maxRetries, null, null, null);
    }

    @Test
    void defaultsFillTheOptionalFields() {
        OpenAiSourceSettings s = OpenAiSourceSettings.of("http://127.0.0.1:8000/v1", "qwen");

        assertThat(s.temperature()).isEqualTo(0.2);
        assertThat(s.maxTokens()).isEqualTo(1024);
        assertThat(s.timeoutMs()).isEqualTo(60_000);
        assertThat(s.maxRetries()).isEqualTo(3);
        assertThat(s.topP()).isNull();
        assertThat(s.validate()).isEmpty();
    }

    @Test
    void blankOptionalStringsCountAsUnset() {
        OpenAiSourceSettings s = new OpenAiSourceSettings("http://h:1", "m", " ", "", null, null, null, null,
                null, "  ", "", " ");

        assertThat(s.apiKeyEnv()).isNull();
        assertThat(s.apiKeyFile()).isNull();
        assertThat(s.firstPromptTemplate()).isNull();
        assertThat(s.refinePromptTemplate()).isNull();
        assertThat(s.systemPrompt()).isNull();
    }

    @ParameterizedTest
    @CsvSource({
        "http://127.0.0.1:8000/v1, http://127.0.0.1:8000/v1/chat/completions",
        "http://127.0.0.1:8000/v1/, http://127.0.0.1:8000/v1/chat/completions",
        "http://127.0.0.1:8000, http://127.0.0.1:8000/v1/chat/completions",
        "http://127.0.0.1:8000/, http://127.0.0.1:8000/v1/chat/completions",
        "https://api.openai.com/v1, https://api.openai.com/v1/chat/completions",
        "http://trainer:8080/openai/v1, http://trainer:8080/openai/v1/chat/completions",
        "https://host/api/openai, https://host/api/openai/chat/completions",
    })
    void endpointAcceptsTheRootWithOrWithoutV1(String baseUrl, String endpoint) {
        assertThat(OpenAiSourceSettings.of(baseUrl, "m").chatCompletionsUri()).hasToString(endpoint);
    }

    @Test
    void validationNamesEachBadField() {
        List<SettingsProblem> problems = settings("ftp://host/v1", " ", 2.5, 0.0, 0, 0, 11).validate();

        assertThat(problems).extracting(SettingsProblem::field).containsExactlyInAnyOrder(
                "baseUrl", "model", "temperature", "topP", "maxTokens", "timeoutMs", "maxRetries");
        assertThat(problems).allSatisfy(p -> assertThat(p.message()).isNotBlank());
    }

    @ParameterizedTest
    @CsvSource(value = {
        "NULL, is required",
        "'', is required",
        "not a url, is not a valid URL",
        "localhost:8000, must be an http:// or https:// URL",
        "http:///v1, must name a host",
        "http://h/v1?x=1, must not have a query or fragment",
    }, nullValues = "NULL")
    void badBaseUrls(String baseUrl, String message) {
        assertThat(OpenAiSourceSettings.of(baseUrl, "m").validate())
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.field()).isEqualTo("baseUrl");
                    assertThat(p.message()).startsWith(message);
                });
    }

    @Test
    void numericBoundsAreInclusive() {
        assertThat(settings("http://h", "m", 0.0, 1.0, 1, 1, 0).validate()).isEmpty();
        assertThat(settings("http://h", "m", 2.0, null, 32_768, 3_600_000, 10).validate()).isEmpty();
        assertThat(settings("http://h", "m", -0.1, 1.01, 32_769, -5, -1).validate())
                .extracting(SettingsProblem::field)
                .containsExactlyInAnyOrder("temperature", "topP", "maxTokens", "timeoutMs", "maxRetries");
    }

    @Test
    void apiKeyEnvMustBeAVariableNameAndFilesMustExist() {
        OpenAiSourceSettings s = new OpenAiSourceSettings("http://h", "m", "sk-abc-123", dir.resolve("nokey").toString(),
                null, null, null, null, null, dir.resolve("a.txt").toString(), dir.toString(), null);

        assertThat(s.validate()).extracting(SettingsProblem::field).containsExactlyInAnyOrder(
                "apiKeyEnv", "apiKeyFile", "firstPromptTemplate", "refinePromptTemplate");
    }

    @Test
    void requireValidThrowsWithTheProblems() {
        assertThatThrownBy(() -> settings("http://h", "", null, null, null, null, null).requireValid())
                .isInstanceOfSatisfying(InvalidSourceSettingsException.class, e -> {
                    assertThat(e.problems()).extracting(SettingsProblem::field).containsExactly("model");
                    assertThat(e).hasMessageContaining("model: is required");
                });
    }
}
