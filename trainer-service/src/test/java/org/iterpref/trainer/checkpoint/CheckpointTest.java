package org.iterpref.trainer.checkpoint;

import org.iterpref.trainer.Fixtures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    private static final String SHARD_1 = "model-00001-of-00002.safetensors";
    private static final String SHARD_2 = "model-00002-of-00002.safetensors";

    @TempDir
    Path dir;

    @Test
    void shouldVerifyTinyQwen2WithTiedEmbeddingsAndNothingExtra() {
        Path model = Fixtures.model("tiny-qwen2");
        try (Checkpoint checkpoint = Checkpoint.open(model)) {
            assertThat(checkpoint.verify(ModelConfig.read(model))).isEmpty();
            assertThat(checkpoint.files()).containsExactly(model.resolve("model.safetensors"));
            assertThat(checkpoint.readFloat32("model.layers.0.self_attn.q_proj.bias", 64)).hasSize(64);
        }
    }

    @Test
    void shouldVerifyTinyLlamaWithItsUntiedHead() {
        Path model = Fixtures.model("tiny-llama");
        try (Checkpoint checkpoint = Checkpoint.open(model)) {
            assertThat(checkpoint.verify(ModelConfig.read(model))).isEmpty();
            assertThat(checkpoint.readFloat32("lm_head.weight", 2048, 64)).hasSize(2048 * 64);
        }
    }

    @Test
    void shouldLoadTheBf16ShardsAsTinyQwen2RoundedToBfloat16() {
        Path sharded = Fixtures.model("tiny-qwen2-bf16-sharded");
        try (Checkpoint bf16 = Checkpoint.open(sharded); Checkpoint f32 = Checkpoint.open(Fixtures.model("tiny-qwen2"))) {
            assertThat(bf16.verify(ModelConfig.read(sharded))).isEmpty();
            assertThat(bf16.files()).containsExactly(sharded.resolve(SHARD_1), sharded.resolve(SHARD_2));
            assertThat(bf16.names()).containsExactlyInAnyOrderElementsOf(f32.names());
            for (String name : f32.names()) {
                assertThat(bf16.info(name).dtype()).isEqualTo(DType.BF16);
                float[] expected = f32.readFloat32(name);
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = roundToBfloat16(expected[i]);
                }
                assertThat(bf16.readFloat32(name, f32.info(name).shape())).as(name).containsExactly(expected);
            }
        }
    }

    @Test
    void shouldResolveShardsFromAnUnnormalisedPathAndPreferTheSingleFileLikeHuggingFace() throws IOException {
        try (Checkpoint checkpoint = Checkpoint.open(Fixtures.model("tiny-qwen2-bf16-sharded").resolve("."))) {
            assertThat(checkpoint.info("model.norm.weight").dtype()).isEqualTo(DType.BF16);
        }
        Path model = Fixtures.copyModel("tiny-qwen2-bf16-sharded", dir.resolve("m"));
        Files.copy(Fixtures.model("tiny-qwen2").resolve("model.safetensors"), model.resolve("model.safetensors"));
        try (Checkpoint checkpoint = Checkpoint.open(model)) {
            assertThat(checkpoint.files()).containsExactly(model.resolve("model.safetensors"));
            assertThat(checkpoint.info("model.norm.weight").dtype()).isEqualTo(DType.F32);
        }
    }

    @Test
    void shouldReadExpectedForwardOfTheShardedModel() {
        try (SafetensorsFile st = SafetensorsFile.open(
                Fixtures.model("tiny-qwen2-bf16-sharded").resolve("expected_forward.safetensors"))) {
            assertThat(st.info("input_ids").shape()).containsExactly(3, 40);
            assertThat(st.readFloat64("logits")).hasSize(3 * 40 * 2048);
        }
    }

    @Test
    void shouldRejectAWrongExpectedShapeNamingFileAndKey() {
        Path model = Fixtures.model("tiny-qwen2");
        try (Checkpoint checkpoint = Checkpoint.open(model)) {
            assertThatThrownBy(() -> checkpoint.readFloat32("model.norm.weight", 32))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageStartingWith(model.resolve("model.safetensors") + ": 'model.norm.weight'")
                    .hasMessageContaining("shape [64] does not match the [32]");
            assertThatThrownBy(() -> checkpoint.readFloat32("model.nope"))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageStartingWith(model.resolve("model.safetensors") + ": 'model.nope'")
                    .hasMessageContaining("no such tensor in this file");
        }
    }

    @Test
    void shouldRejectATensorWhoseShapeDisagreesWithTheConfig() throws IOException {
        Path model = Fixtures.copyModel("tiny-qwen2", dir.resolve("m"));
        editConfig(model, "\"intermediate_size\": 160", "\"intermediate_size\": 128");

        CheckpointException e = verifyFails(model);

        assertThat(e.file()).isEqualTo(model.resolve("model.safetensors"));
        assertThat(e.key()).contains("model.layers.0.mlp.gate_proj.weight");
        assertThat(e).hasMessageContaining("shape [160, 64] does not match the [128, 64]")
                .hasMessageContaining("intermediate_size=128");
    }

    @Test
    void shouldRejectATensorTheConfigNeedsButTheCheckpointLacks() throws IOException {
        Path model = Fixtures.copyModel("tiny-qwen2", dir.resolve("m"));
        editConfig(model, "\"tie_word_embeddings\": true", "\"tie_word_embeddings\": false");

        CheckpointException e = verifyFails(model);

        assertThat(e.key()).contains("lm_head.weight");
        assertThat(e).hasMessageContaining("no such tensor in this file").hasMessageContaining("needs it");
    }

    @Test
    void shouldReportTensorsTheConfigDoesNotUseAsWarnings() throws IOException {
        Path model = Fixtures.copyModel("tiny-llama", dir.resolve("m"));
        editConfig(model, "\"tie_word_embeddings\": false", "\"tie_word_embeddings\": true");

        try (Checkpoint checkpoint = Checkpoint.open(model)) {
            assertThat(checkpoint.verify(ModelConfig.read(model))).containsExactly("lm_head.weight");
        }
    }

    @Test
    void shouldRejectAnIndexNamingAMissingShard() throws IOException {
        Path model = Fixtures.copyModel("tiny-qwen2-bf16-sharded", dir.resolve("m"));
        Files.delete(model.resolve(SHARD_2));

        CheckpointException e = openFails(model);

        assertThat(e.file()).isEqualTo(model.resolve(Checkpoint.INDEX_FILE));
        assertThat(e.key()).isPresent();
        assertThat(e).hasMessageContaining("is mapped to shard '" + SHARD_2 + "', which does not exist");
    }

    @Test
    void shouldRejectAnIndexNamingATensorAbsentFromItsShard() throws IOException {
        Path model = Fixtures.copyModel("tiny-qwen2-bf16-sharded", dir.resolve("m"));
        Path index = model.resolve(Checkpoint.INDEX_FILE);
        Files.writeString(index, Files.readString(index).replace("\"weight_map\": {",
                "\"weight_map\": {\"model.extra.weight\": \"" + SHARD_1 + "\","));

        CheckpointException e = openFails(model);

        assertThat(e.file()).isEqualTo(model.resolve(SHARD_1));
        assertThat(e.key()).contains("model.extra.weight");
        assertThat(e).hasMessageContaining("the shard does not hold it");
    }

    @Test
    void shouldRejectAMalformedIndex() throws IOException {
        Path model = Fixtures.copyModel("tiny-qwen2-bf16-sharded", dir.resolve("m"));
        Path index = model.resolve(Checkpoint.INDEX_FILE);

        Files.writeString(index, "{\"weight_map\": {\"a\": \"../" + SHARD_1 + "\"}}");
        assertThat(openFails(model)).hasMessageContaining("'a'").hasMessageContaining("not a file in the index's directory");
        Files.writeString(index, "{\"metadata\": {}}");
        assertThat(openFails(model)).hasMessageContaining("'weight_map': is missing");
        Files.writeString(index, "{\"weight_map\": ");
        assertThat(openFails(model)).hasMessageContaining("is not valid JSON");
    }

    @Test
    void shouldRejectADirectoryWithoutWeights() {
        CheckpointException e = openFails(dir);

        assertThat(e.file()).isEqualTo(dir);
        assertThat(e).hasMessageContaining("holds neither model.safetensors nor model.safetensors.index.json");
    }

    @Test
    void shouldNameTheIndexAndShardsWhenAShardedTensorIsMissing() {
        Path model = Fixtures.model("tiny-qwen2-bf16-sharded");
        try (Checkpoint checkpoint = Checkpoint.open(model)) {
            assertThatThrownBy(() -> checkpoint.info("lm_head.weight"))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageStartingWith(model.resolve(Checkpoint.INDEX_FILE) + ": 'lm_head.weight'")
                    .hasMessageContaining("weight_map").hasMessageContaining(SHARD_2);
        }
    }

    @Test
    void shouldRejectAnIntegerTensorWhereTheConfigExpectsWeights() throws IOException {
        Path model = Fixtures.copyModel("tiny-qwen2", dir.resolve("m"));
        ModelConfig config = ModelConfig.read(model);
        SafetensorsWriter writer = new SafetensorsWriter();
        for (ParameterSpec spec : config.expectedParameters()) {
            if (spec.name().equals("model.norm.weight")) {
                writer.addLongs(spec.name(), spec.shape(), new long[(int) spec.numElements()]);
            } else {
                writer.addRaw(spec.name(), DType.F16, spec.shape(), new byte[2 * (int) spec.numElements()]);
            }
        }
        writer.write(model.resolve("model.safetensors"));

        CheckpointException e = verifyFails(model);

        assertThat(e.key()).contains("model.norm.weight");
        assertThat(e).hasMessageContaining("dtype I64 is not a floating-point type");
    }

    /** Round-to-nearest-even of a float32 to bfloat16, done on the bits (no NaNs in the weights). */
    static float roundToBfloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return Float.intBitsToFloat((bits + roundingBias) & 0xFFFF0000);
    }

    private static void editConfig(Path model, String from, String to) throws IOException {
        Path config = model.resolve("config.json");
        String json = Files.readString(config);
        assertThat(json).contains(from);
        Files.writeString(config, json.replace(from, to));
    }

    private static CheckpointException verifyFails(Path model) {
        try (Checkpoint checkpoint = Checkpoint.open(model)) {
            ModelConfig config = ModelConfig.read(model);
            CheckpointException e = catchThrowableOfType(CheckpointException.class, () -> checkpoint.verify(config));
            assertThat(e).as("verifying %s should fail", model).isNotNull();
            return e;
        }
    }

    private static CheckpointException openFails(Path model) {
        CheckpointException e = catchThrowableOfType(CheckpointException.class, () -> Checkpoint.open(model).close());
        assertThat(e).as("opening %s should fail", model).isNotNull();
        return e;
    }
}
