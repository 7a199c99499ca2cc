package org.iterpref.trainer.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.iterpref.trainer.RealConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Configs shaped like the {@code config.json} of released checkpoints (Llama 3.1 / 3.2, Qwen2.5-Coder)
 * read as transformers reads them: Llama 3 rope scaling applied, Qwen2.5's unused sliding-window
 * fields accepted, and every kind of scaling the decoder lacks rejected by field.
 */
class RealModelConfigTest {

    @TempDir
    Path dir;

    @Test
    void shouldReadLlama31WithItsLlama3RopeScaling() {
        ModelConfig config = ModelConfig.read(write(RealConfigs.LLAMA_3_1_8B));

        assertThat(config.architecture()).isEqualTo(Architecture.LLAMA);
        assertThat(config.headDim()).isEqualTo(128);
        assertThat(config.ropeTheta()).isEqualTo(500_000.0);
        assertThat(config.maxPositionEmbeddings()).isEqualTo(131_072);
        assertThat(config.eosTokenIds()).containsExactly(128001, 128008, 128009);
        assertThat(config.ropeScaling()).isEqualTo(new RopeScaling.Llama3(8.0, 1.0, 4.0, 8192));
        assertThat(config.ropeScaling().type()).isEqualTo("llama3");
    }

    @Test
    void shouldReadLlama32WithTiedEmbeddingsAndAnExplicitHeadDim() {
        String llama32 = RealConfigs.LLAMA_3_1_8B.replace("\"hidden_size\": 4096", "\"hidden_size\": 2048, \"head_dim\": 64")
                .replace("\"factor\": 8.0", "\"factor\": 32.0")
                .replace("\"tie_word_embeddings\": false", "\"tie_word_embeddings\": true");

        ModelConfig config = ModelConfig.read(write(llama32));

        assertThat(config.headDim()).isEqualTo(64);
        assertThat(config.tieWordEmbeddings()).isTrue();
        assertThat(config.ropeScaling()).isEqualTo(new RopeScaling.Llama3(32.0, 1.0, 4.0, 8192));
    }

    @Test
    void shouldAcceptTheLegacyTypeKeyAndTransformers5RopeParameters() {
        String legacy = RealConfigs.LLAMA_3_1_8B.replace("\"rope_type\": \"llama3\"", "\"type\": \"llama3\"");
        String transformers5 = RealConfigs.LLAMA_3_1_8B.replace("\"rope_theta\": 500000.0,", "")
                .replace("\"rope_scaling\": {", "\"rope_parameters\": {\"rope_theta\": 500000.0,");

        ModelConfig fromLegacy = ModelConfig.read(write(legacy));
        ModelConfig fromParameters = ModelConfig.read(write(transformers5));

        RopeScaling expected = new RopeScaling.Llama3(8.0, 1.0, 4.0, 8192);
        assertThat(fromLegacy.ropeScaling()).isEqualTo(expected);
        assertThat(fromParameters.ropeScaling()).isEqualTo(expected);
        assertThat(fromParameters.ropeTheta()).isEqualTo(500_000.0);
    }

    @Test
    void shouldTreatNullAndDefaultRopeScalingAsNone() {
        String nullScaling = RealConfigs.LLAMA_3_1_8B.replaceAll("(?s)\"rope_scaling\": \\{.*?},", "\"rope_scaling\": null,");
        String defaultScaling = RealConfigs.LLAMA_3_1_8B.replaceAll("(?s)\"rope_scaling\": \\{.*?},",
                "\"rope_scaling\": {\"rope_type\": \"default\"},");

        assertThat(ModelConfig.read(write(nullScaling)).ropeScaling()).isSameAs(RopeScaling.NONE);
        assertThat(ModelConfig.read(write(defaultScaling)).ropeScaling()).isSameAs(RopeScaling.NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"linear", "dynamic", "yarn", "longrope", "su", "mrope"})
    void shouldRejectOtherRopeScalingNamingTheField(String type) {
        String config = RealConfigs.LLAMA_3_1_8B.replace("\"rope_type\": \"llama3\"", "\"rope_type\": \"" + type + "\"");

        CheckpointException e = readFails(write(config));

        assertThat(e.key()).contains("rope_scaling");
        assertThat(e).hasMessageContaining("rope scaling '" + type + "' is not supported (supported: default, llama3)");
    }

    @Test
    void shouldRejectOtherScalingInRopeParametersNamingThatField() {
        String config = RealConfigs.QWEN_2_5_CODER_1_5B.replace("\"rope_scaling\": null,",
                "\"rope_parameters\": {\"rope_type\": \"yarn\", \"factor\": 4.0, \"rope_theta\": 1000000.0},");

        CheckpointException e = readFails(write(config));

        assertThat(e.key()).contains("rope_parameters");
        assertThat(e).hasMessageContaining("'yarn' is not supported");
    }

    @Test
    void shouldRejectIncompleteOrInconsistentLlama3Scaling() {
        assertThat(readFails(write(RealConfigs.LLAMA_3_1_8B.replace("\"low_freq_factor\": 1.0,", ""))))
                .hasMessageContaining("'rope_scaling'").hasMessageContaining("'low_freq_factor', which is missing");
        assertThat(readFails(write(RealConfigs.LLAMA_3_1_8B.replace("\"factor\": 8.0", "\"factor\": -8.0"))))
                .hasMessageContaining("'factor' must be a positive number, found -8.0");
        assertThat(readFails(write(RealConfigs.LLAMA_3_1_8B.replace("\"high_freq_factor\": 4.0", "\"high_freq_factor\": 1.0"))))
                .hasMessageContaining("high_freq_factor 1.0 must be greater than low_freq_factor 1.0");
        assertThat(readFails(write(RealConfigs.LLAMA_3_1_8B.replace("8192", "\"8k\""))))
                .hasMessageContaining("'original_max_position_embeddings' must be a positive integer");
        assertThat(readFails(write(RealConfigs.LLAMA_3_1_8B.replaceAll("(?s)\"rope_scaling\": \\{.*?},", "\"rope_scaling\": 8.0,"))))
                .hasMessageContaining("'rope_scaling': must be an object or null, found 8.0");
    }

    @Test
    void shouldRejectRopeParametersThatDisagreeWithRopeScaling() {
        String config = RealConfigs.LLAMA_3_1_8B.replace("\"rope_theta\": 500000.0,", "\"rope_theta\": 500000.0, \"rope_parameters\":"
                + " {\"rope_type\": \"llama3\", \"factor\": 32.0, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0,"
                + " \"original_max_position_embeddings\": 8192},");

        assertThat(readFails(write(config))).hasMessageContaining("'rope_parameters'")
                .hasMessageContaining("but rope_scaling says");
    }

    @Test
    void shouldReadQwen25CoderWithItsUnusedSlidingWindowFields() {
        ModelConfig config = ModelConfig.read(write(RealConfigs.QWEN_2_5_CODER_1_5B));

        assertThat(config.architecture()).isEqualTo(Architecture.QWEN2);
        assertThat(config.headDim()).isEqualTo(128);
        assertThat(config.numKeyValueHeads()).isEqualTo(2);
        assertThat(config.tieWordEmbeddings()).isTrue();
        assertThat(config.ropeScaling()).isSameAs(RopeScaling.NONE);
        assertThat(config.torchDtype()).isEqualTo("bfloat16");
    }

    @Test
    void shouldRejectQwen25WithSlidingWindowAttentionSwitchedOn() {
        String config = RealConfigs.QWEN_2_5_CODER_1_5B.replace("\"use_sliding_window\": false", "\"use_sliding_window\": true");

        CheckpointException e = readFails(write(config));

        assertThat(e.key()).contains("use_sliding_window");
        assertThat(e).hasMessageContaining("sliding window attention").hasMessageContaining("not supported");
    }

    private Path write(String json) {
        try {
            Files.writeString(dir.resolve(ModelConfig.FILE_NAME), json);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private CheckpointException readFails(Path modelDir) {
        CheckpointException e = catchThrowableOfType(CheckpointException.class, () -> ModelConfig.read(modelDir));
        assertThat(e).as("reading %s should fail", modelDir).isNotNull();
        assertThat(e.file()).isEqualTo(modelDir.resolve(ModelConfig.FILE_NAME));
        return e;
    }
}
