package org.iterpref.generator.source.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyResolverTest {

    @TempDir
    Path dir;

    private final ApiKeyResolver resolver = new ApiKeyResolver(Map.of("VLLM_KEY", "  sk-env\n")::get);

    private static OpenAiSourceSettings withKey(String env, String file) {
        return new OpenAiSourceSettings("http://h", "m", env, file, null, null, null, null, null, null, null, null);
    }

    @Test
    void noKeyConfiguredMeansNoKey() {
        assertThat(resolver.resolve(withKey(null, null))).isEmpty();
    }

    @Test
    void readsTheEnvironmentVariableStripped() {
        assertThat(resolver.resolve(withKey("VLLM_KEY", null))).contains(new ApiKey("sk-env"));
    }

    @Test
    void fileWinsOverEnvironment() throws Exception {
        Path secret = Files.writeString(dir.resolve("api-key"), "sk-file\n");

        assertThat(resolver.resolve(withKey("VLLM_KEY", secret.toString()))).contains(new ApiKey("sk-file"));
    }

    @Test
    void unsetVariableOrEmptyFileIsASettingsProblem() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");

        assertThatThrownBy(() -> resolver.resolve(withKey("OTHER_KEY", null)))
                .isInstanceOf(InvalidSourceSettingsException.class)
                .hasMessageContaining("apiKeyEnv").hasMessageContaining("OTHER_KEY is not set");
        assertThatThrownBy(() -> resolver.resolve(withKey(null, empty.toString())))
                .isInstanceOf(InvalidSourceSettingsException.class).hasMessageContaining("apiKeyFile");
    }

    @Test
    void keyNeverShowsInToString() {
        assertThat(new ApiKey("sk-secret")).hasToString("ApiKey[redacted]");
    }
}
