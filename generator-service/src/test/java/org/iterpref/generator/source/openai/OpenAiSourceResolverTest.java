package org.iterpref.generator.source.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.iterpref.generator.config.GeneratorProperties.ModelServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator's rules for what a run may ask of an {@code openai} source. */
class OpenAiSourceResolverTest {

    @TempDir
    Path dir;

    private OpenAiSourceResolver resolver(List<String> allowed) {
        return new OpenAiSourceResolver(Map.of(
                "vllm", new ModelServer("http://vllm:8000/v1", "VLLM_KEY", null, List.of("coder"), 30_000, 2, 4096, 3.0),
                "broken", new ModelServer("http://broken/v1", "MISSING_KEY", null, List.of(), null, null, null, null)),
                new BaseUrlAllowList(allowed), new PromptTemplateLibrary(dir),
                new ApiKeyResolver(Map.of("VLLM_KEY", "sk-operator")::get));
    }

    private static OpenAiSourceRequest request(String server, String baseUrl, String apiKey, String model) {
        return new OpenAiSourceRequest(server, baseUrl, apiKey, model, null, null, null, null, null, null, null,
                null, null, null);
    }

    private static List<String> fields(Runnable call) {
        try {
            call.run();
        } catch (InvalidSourceSettingsException e) {
            return e.problems().stream().map(SettingsProblem::field).toList();
        }
        throw new AssertionError("no problem reported");
    }

    @Test
    void aNamedServerBringsItsUrlKeyTimeoutsAndContextWindow() {
        ResolvedOpenAiSource resolved = resolver(List.of()).resolve(request("vllm", null, null, "coder"));

        assertThat(resolved.settings().chatCompletionsUri().toString()).isEqualTo("http://vllm:8000/v1/chat/completions");
        assertThat(resolved.apiKey()).contains(new ApiKey("sk-operator"));
        assertThat(resolved.settings().timeoutMs()).isEqualTo(30_000);
        assertThat(resolved.settings().maxRetries()).isEqualTo(2);
        assertThat(resolved.window()).isEqualTo(new ContextWindowSettings(4096, 3.0));
        assertThat(resolved.templates().firstAttemptTemplate()).isEqualTo(PromptTemplates.bundled().firstAttemptTemplate());
    }

    @Test
    void unknownServersDisallowedModelsAndTooLongTimeoutsAreNamed() {
        OpenAiSourceResolver resolver = resolver(List.of());
        assertThat(fields(() -> resolver.resolve(request("nope", null, null, "coder")))).containsExactly("server");
        assertThat(fields(() -> resolver.resolve(request("vllm", null, null, "gpt-4")))).containsExactly("model");
        assertThat(fields(() -> resolver.resolve(request(null, null, null, "coder")))).containsExactly("server");
        assertThat(fields(() -> resolver.resolve(new OpenAiSourceRequest("vllm", null, null, "coder", null, null, null,
                60_000, 5, null, null, null, null, null)))).containsExactly("timeoutMs", "maxRetries");
        assertThat(fields(() -> resolver.resolve(request("vllm", null, "sk-mine", "coder")))).containsExactly("apiKey");
    }

    @Test
    void anOperatorKeyThatIsMissingIsReportedWithoutItsName() {
        assertThatThrownBy(() -> resolver(List.of()).resolve(request("broken", null, null, "m")))
                .isInstanceOfSatisfying(InvalidSourceSettingsException.class, e -> {
                    assertThat(e.problems()).extracting(SettingsProblem::field).containsExactly("server");
                    assertThat(e.getMessage()).doesNotContain("MISSING_KEY");
                });
    }

    @Test
    void aBaseUrlNeedsTheAllowListAndItsInlineKeyIsNeverShown() {
        assertThat(fields(() -> resolver(List.of()).resolve(request(null, "http://127.0.0.1:9/v1", "sk-x", "m"))))
                .containsExactly("baseUrl");
        OpenAiSourceResolver open = resolver(List.of("http://127.0.0.1:*/v1"));
        assertThat(fields(() -> open.resolve(request(null, "http://evil.example/v1", "sk-x", "m")))).containsExactly("baseUrl");
        assertThat(fields(() -> open.resolve(request(null, "http://u:p@127.0.0.1:9/v1", "sk-x", "m"))))
                .containsExactly("baseUrl");

        ResolvedOpenAiSource resolved = open.resolve(request(null, "http://127.0.0.1:9/v1/", "sk-inline", "m"));
        assertThat(resolved.apiKey()).contains(new ApiKey("sk-inline"));
        assertThat(resolved.toString()).doesNotContain("sk-inline");
        assertThat(request(null, "http://127.0.0.1:9/v1", "sk-inline", "m").toString()).doesNotContain("sk-inline");
    }

    @Test
    void templatesAreInlineTextOrNamesInTheOperatorsDirectoryNeverPaths() throws Exception {
        Files.writeString(dir.resolve("terse.txt"), "Solve: {{prompt}}");
        OpenAiSourceResolver resolver = resolver(List.of());
        ResolvedOpenAiSource resolved = resolver.resolve(new OpenAiSourceRequest("vllm", null, null, "coder", null,
                null, null, null, null, null, "Fix: {{code}}", "terse", null, null));
        assertThat(resolved.templates().firstAttemptTemplate()).isEqualTo("Solve: {{prompt}}");
        assertThat(resolved.templates().refineTemplate()).isEqualTo("Fix: {{code}}");

        Path outside = Files.writeString(dir.getParent().resolve("outside-" + dir.getFileName() + ".txt"), "secret");
        try {
            for (String name : List.of(outside.toString(), "../" + outside.getFileName(), "a/b", "..", "missing")) {
                assertThat(fields(() -> resolver.resolve(new OpenAiSourceRequest("vllm", null, null, "coder", null, null,
                        null, null, null, null, null, name, null, null)))).as(name).containsExactly("firstPromptTemplate");
            }
        } finally {
            Files.delete(outside);
        }
        assertThat(fields(() -> resolver.resolve(new OpenAiSourceRequest("vllm", null, null, "coder", null, null,
                null, null, null, null, "x", null, "refine", null)))).containsExactly("refinePromptTemplate");
    }

    @Test
    void allowListPatternsMatchWholeUrlsWithStarsWithinASegment() {
        BaseUrlAllowList list = new BaseUrlAllowList(List.of("https://api.openai.com/v1", "http://127.0.0.1:*/v1"));
        assertThat(list.allows("https://API.openai.com/v1/")).isTrue();
        assertThat(list.allows("http://127.0.0.1:8083/v1")).isTrue();
        assertThat(list.allows("https://api.openai.com.evil.example/v1")).isFalse();
        assertThat(list.allows("http://127.0.0.1:8083/x/v1")).isFalse();
        assertThat(list.allows("https://api.openai.com/v1/../admin")).isFalse();
        assertThat(new BaseUrlAllowList(List.of()).allows("https://api.openai.com/v1")).isFalse();
    }
}
