package org.iterpref.trainer.checkpoint;

import org.iterpref.trainer.Fixtures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {

    private static final String SIZES = "\"hidden_size\": 64, \"intermediate_size\": 160, \"num_hidden_layers\": 2,"
            + " \"num_attention_heads\": 4, \"vocab_size\": 2048";

    @TempDir
    Path dir;

    @Test
    void shouldReadTinyQwen2AsTheFixtureReadmeDescribesIt() {
        ModelConfig config = ModelConfig.read(Fixtures.model("tiny-qwen2"));

        assertThat(config.architecture()).isEqualTo(Architecture.QWEN2);
        assertThat(config.hiddenSize()).isEqualTo(64);
        assertThat(config.numHiddenLayers()).isEqualTo(2);
        assertThat(config.numAttentionHeads()).isEqualTo(4);
        assertThat(config.numKeyValueHeads()).isEqualTo(2);
        assertThat(config.queriesPerKeyValueHead()).isEqualTo(2);
        assertThat(config.headDim()).isEqualTo(16);
        assertThat(config.intermediateSize()).isEqualTo(160);
        assertThat(config.vocabSize()).isEqualTo(2048);
        assertThat(config.ropeTheta()).isEqualTo(1e6);
        assertThat(config.rmsNormEps()).isEqualTo(1e-6);
        assertThat(config.tieWordEmbeddings()).isTrue();
        assertThat(config.architecture().qkvBias()).isTrue();
        assertThat(config.maxPositionEmbeddings()).isEqualTo(512);
        assertThat(config.torchDtype()).isEqualTo("float32");
        assertThat(config.bosTokenId()).isEqualTo(OptionalInt.of(2045));
        assertThat(config.eosTokenIds()).containsExactly(2045);
    }

    @Test
    void shouldReadTinyLlamaAsTheFixtureReadmeDescribesIt() {
        ModelConfig config = ModelConfig.read(Fixtures.model("tiny-llama"));

        assertThat(config.architecture()).isEqualTo(Architecture.LLAMA);
        assertThat(config.numKeyValueHeads()).isEqualTo(2);
        assertThat(config.ropeTheta()).isEqualTo(1e4);
        assertThat(config.rmsNormEps()).isEqualTo(1e-5);
        assertThat(config.tieWordEmbeddings()).isFalse();
        assertThat(config.architecture().qkvBias()).isFalse();
    }

    @Test
    void shouldReadTheBf16ShardedConfigsDtype() {
        assertThat(ModelConfig.read(Fixtures.model("tiny-qwen2-bf16-sharded")).torchDtype()).isEqualTo("bfloat16");
    }

    @Test
    void shouldListQwen2ParametersWithBiasesAndTiedHead() {
        Map<String, List<Long>> specs = shapes(ModelConfig.read(Fixtures.model("tiny-qwen2")));

        assertThat(specs).hasSize(1 + 2 * 12 + 1)
                .containsEntry("model.embed_tokens.weight", List.of(2048L, 64L))
                .containsEntry("model.layers.1.self_attn.q_proj.weight", List.of(64L, 64L))
                .containsEntry("model.layers.1.self_attn.q_proj.bias", List.of(64L))
                .containsEntry("model.layers.1.self_attn.k_proj.weight", List.of(32L, 64L))
                .containsEntry("model.layers.1.self_attn.k_proj.bias", List.of(32L))
                .containsEntry("model.layers.1.self_attn.v_proj.bias", List.of(32L))
                .containsEntry("model.layers.1.self_attn.o_proj.weight", List.of(64L, 64L))
                .containsEntry("model.layers.0.mlp.gate_proj.weight", List.of(160L, 64L))
                .containsEntry("model.layers.0.mlp.up_proj.weight", List.of(160L, 64L))
                .containsEntry("model.layers.0.mlp.down_proj.weight", List.of(64L, 160L))
                .containsEntry("model.layers.0.input_layernorm.weight", List.of(64L))
                .containsEntry("model.layers.0.post_attention_layernorm.weight", List.of(64L))
                .containsEntry("model.norm.weight", List.of(64L))
                .doesNotContainKeys("lm_head.weight", "model.layers.0.self_attn.o_proj.bias");
    }

    @Test
    void shouldListLlamaParametersWithoutBiasesAndWithAnUntiedHead() {
        Map<String, List<Long>> specs = shapes(ModelConfig.read(Fixtures.model("tiny-llama")));

        assertThat(specs).hasSize(1 + 2 * 9 + 2).containsEntry("lm_head.weight", List.of(2048L, 64L));
        assertThat(specs.keySet()).noneMatch(name -> name.endsWith(".bias"));
    }

    @Test
    void shouldApplyDefaultsAndAcceptAnEosList() {
        ModelConfig config = ModelConfig.read(config("\"architectures\": [\"LlamaForCausalLM\"], " + SIZES
                + ", \"eos_token_id\": [1, 2], \"head_dim\": 32, \"rope_scaling\": null"));

        assertThat(config.numKeyValueHeads()).isEqualTo(4);
        assertThat(config.headDim()).isEqualTo(32);
        assertThat(config.ropeTheta()).isEqualTo(10_000.0);
        assertThat(config.rmsNormEps()).isEqualTo(1e-6);
        assertThat(config.tieWordEmbeddings()).isFalse();
        assertThat(config.maxPositionEmbeddings()).isEqualTo(2048);
        assertThat(config.torchDtype()).isEqualTo("float32");
        assertThat(config.bosTokenId()).isEmpty();
        assertThat(config.eosTokenIds()).containsExactly(1, 2);
        assertThat(shapes(config)).containsEntry("model.layers.0.self_attn.q_proj.weight", List.of(128L, 64L))
                .containsEntry("model.layers.0.self_attn.o_proj.weight", List.of(64L, 128L));
    }

    @Test
    void shouldReadTransformers5RopeParametersAndModelTypeWithoutArchitectures() {
        ModelConfig config = ModelConfig.read(config("\"model_type\": \"qwen2\", " + SIZES
                + ", \"rope_parameters\": {\"rope_theta\": 1000000.0, \"rope_type\": \"default\"}, \"dtype\": \"bfloat16\""));

        assertThat(config.architecture()).isEqualTo(Architecture.QWEN2);
        assertThat(config.ropeTheta()).isEqualTo(1e6);
        assertThat(config.torchDtype()).isEqualTo("bfloat16");
        assertThat(config.maxPositionEmbeddings()).isEqualTo(32_768);
    }

    @Test
    void shouldRejectAnUnsupportedArchitectureNamingFileAndValue() {
        CheckpointException e = readFails(config("\"architectures\": [\"GPT2LMHeadModel\"], " + SIZES));

        assertThat(e.key()).contains("architectures");
        assertThat(e).hasMessageContaining("unsupported architecture 'GPT2LMHeadModel'")
                .hasMessageContaining("Qwen2ForCausalLM, LlamaForCausalLM");
    }

    @Test
    void shouldRejectMissingOrInvalidFields() {
        assertThat(readFails(config("\"architectures\": [\"Qwen2ForCausalLM\"], \"hidden_size\": 64")))
                .hasMessageContaining("'num_attention_heads': is required but missing");
        assertThat(readFails(config("\"architectures\": [\"Qwen2ForCausalLM\"], " + SIZES
                + ", \"num_key_value_heads\": 3"))).hasMessageContaining("'num_key_value_heads': 3 does not divide");
        assertThat(readFails(config("\"architectures\": [\"Qwen2ForCausalLM\"], " + SIZES + ", \"rms_norm_eps\": \"x\"")))
                .hasMessageContaining("'rms_norm_eps': must be a positive number");
        assertThat(readFails(config("\"architectures\": [\"Qwen2ForCausalLM\"], " + SIZES + ", \"eos_token_id\": [1, \"a\"]")))
                .hasMessageContaining("'eos_token_id'");
        assertThat(readFails(config("\"architectures\": \"Qwen2ForCausalLM\", " + SIZES)))
                .hasMessageContaining("'architectures': must be a non-empty list");
        assertThat(readFails(config(SIZES))).hasMessageContaining("'architectures': is missing");
    }

    @Test
    void shouldRejectFeaturesTheDecoderWouldSilentlyGetWrong() {
        String llama = "\"architectures\": [\"LlamaForCausalLM\"], " + SIZES;
        assertThat(readFails(config(llama + ", \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0}")))
                .hasMessageContaining("'rope_scaling'").hasMessageContaining("'yarn' is not supported");
        assertThat(readFails(config(llama + ", \"attention_bias\": true"))).hasMessageContaining("'attention_bias'");
        assertThat(readFails(config(llama + ", \"hidden_act\": \"gelu\""))).hasMessageContaining("'hidden_act'");
        assertThat(readFails(config("\"architectures\": [\"Qwen2ForCausalLM\"], " + SIZES + ", \"use_sliding_window\": true")))
                .hasMessageContaining("'use_sliding_window'");
    }

    @Test
    void shouldRejectAMissingOrMalformedConfigFile() throws IOException {
        assertThat(readFails(dir)).hasMessageContaining("not found");
        Files.writeString(dir.resolve("config.json"), "{\"hidden_size\": 64,");
        assertThat(readFails(dir)).hasMessageContaining("is not valid JSON");
    }

    private Path config(String fields) {
        try {
            Files.writeString(dir.resolve("config.json"), "{" + fields + "}");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CheckpointException readFails(Path modelDir) {
        CheckpointException e = catchThrowableOfType(CheckpointException.class, () -> ModelConfig.read(modelDir));
        assertThat(e).as("reading %s should fail", modelDir).isNotNull();
        assertThat(e.file()).isEqualTo(modelDir.resolve("config.json"));
        assertThat(e).hasMessageStartingWith(modelDir.resolve("config.json").toString());
        return e;
    }

    static Map<String, List<Long>> shapes(ModelConfig config) {
        return config.expectedParameters().stream().collect(Collectors.toMap(ParameterSpec::name,
                p -> java.util.Arrays.stream(p.shape()).boxed().toList(), (a, b) -> a, java.util.LinkedHashMap::new));
    }
}
