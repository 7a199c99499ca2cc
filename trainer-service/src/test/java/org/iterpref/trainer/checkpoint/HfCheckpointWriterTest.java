package org.iterpref.trainer.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.iterpref.trainer.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The directory {@link HfCheckpointWriter} writes, with weights taken straight from a fixture
 * checkpoint (the round trip through a loaded model is {@code HfCheckpointRoundTripTest}).
 */
class HfCheckpointWriterTest {

    @TempDir
    Path dir;

    @Test
    void shouldWriteWeightsConfigAndTokenizerFilesInHuggingFaceLayout() throws IOException {
        Path source = Fixtures.model("tiny-qwen2");
        Path target = dir.resolve("out").resolve("step-100");

        try (Checkpoint checkpoint = Checkpoint.open(source)) {
            HfCheckpointWriter.write(weightsOf(checkpoint), source, target, TorchDtype.FLOAT32);
        }

        assertThat(filesIn(target)).containsExactly("config.json", "generation_config.json", "model.safetensors",
                "tokenizer.json", "tokenizer_config.json");
        for (String copied : List.of("generation_config.json", "tokenizer.json", "tokenizer_config.json")) {
            assertThat(target.resolve(copied)).as(copied).hasSameBinaryContentAs(source.resolve(copied));
        }
        assertThat(json(target.resolve("config.json"))).isEqualTo(json(source.resolve("config.json")));
        assertThat(filesIn(target.getParent())).as("no partial directory left").containsExactly("step-100");
        try (Checkpoint written = Checkpoint.open(target); Checkpoint original = Checkpoint.open(source)) {
            assertThat(written.verify(ModelConfig.read(target))).isEmpty();
            assertThat(written.names()).containsExactlyInAnyOrderElementsOf(original.names())
                    .doesNotContain("lm_head.weight");
            for (String name : original.names()) {
                assertThat(written.readFloat32(name)).as(name).containsExactly(original.readFloat32(name));
            }
        }
    }

    @Test
    void shouldSetTorchDtypeAndTransformers5DtypeToTheTypeWritten() throws IOException {
        Path source = Fixtures.copyModel("tiny-qwen2", dir.resolve("source"));
        editConfig(source, "\"torch_dtype\": \"float32\"", "\"torch_dtype\": \"float32\", \"dtype\": \"float32\"");
        Path target = dir.resolve("bf16");

        try (Checkpoint checkpoint = Checkpoint.open(source)) {
            HfCheckpointWriter.write(weightsOf(checkpoint), source, target, TorchDtype.BFLOAT16);
        }

        JsonNode config = json(target.resolve("config.json"));
        assertThat(config.get("torch_dtype").asString()).isEqualTo("bfloat16");
        assertThat(config.get("dtype").asString()).isEqualTo("bfloat16");
        assertThat(ModelConfig.read(target).torchDtype()).isEqualTo("bfloat16");
        assertThat(TorchDtype.of(ModelConfig.read(target))).isEqualTo(TorchDtype.BFLOAT16);
    }

    @Test
    void shouldCopyTheOtherTokenizerFilesTheSourceHasAndNothingElse() throws IOException {
        Path source = Fixtures.copyModel("tiny-llama", dir.resolve("source"));
        for (String extra : List.of("special_tokens_map.json", "vocab.json", "merges.txt", "chat_template.jinja")) {
            Files.writeString(source.resolve(extra), extra + " contents");
        }
        Files.writeString(source.resolve("README.md"), "not part of a checkpoint");
        Path target = dir.resolve("out");

        try (Checkpoint checkpoint = Checkpoint.open(source)) {
            HfCheckpointWriter.write(weightsOf(checkpoint), source, target, TorchDtype.FLOAT32);
        }

        assertThat(filesIn(target)).containsExactly("chat_template.jinja", "config.json", "generation_config.json",
                "merges.txt", "model.safetensors", "special_tokens_map.json", "tokenizer.json",
                "tokenizer_config.json", "vocab.json");
        assertThat(target.resolve("merges.txt")).hasContent("merges.txt contents");
    }

    @Test
    void shouldLeaveNoTargetAndNoPartialDirectoryWhenAWeightCannotBeRead() throws IOException {
        Path source = Fixtures.model("tiny-qwen2");
        Path target = dir.resolve("broken");

        try (Checkpoint checkpoint = Checkpoint.open(source)) {
            NamedWeights failing = new NamedWeights() {
                @Override
                public List<ParameterSpec> parameters() {
                    return weightsOf(checkpoint).parameters();
                }

                @Override
                public float[] readFloat32(String name) {
                    if (name.equals("model.layers.1.mlp.up_proj.weight")) {
                        throw new IllegalStateException("CUDA error: device-side assert triggered");
                    }
                    return checkpoint.readFloat32(name);
                }
            };

            assertThatThrownBy(() -> HfCheckpointWriter.write(failing, source, target, TorchDtype.FLOAT32))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("CUDA error");
        }

        assertThat(target).doesNotExist();
        assertThat(filesIn(dir)).isEmpty();
    }

    @Test
    void shouldCleanUpThePartialDirectoryACrashLeftBehind() throws IOException {
        Path source = Fixtures.model("tiny-llama");
        Path target = dir.resolve("final");
        Path partial = Files.createDirectories(dir.resolve(".final.partial"));
        Files.writeString(partial.resolve("model.safetensors"), "half a file");

        try (Checkpoint checkpoint = Checkpoint.open(source)) {
            HfCheckpointWriter.write(weightsOf(checkpoint), source, target, TorchDtype.FLOAT32);
        }

        assertThat(filesIn(dir)).containsExactly("final");
        try (Checkpoint written = Checkpoint.open(target)) {
            assertThat(written.verify(ModelConfig.read(target))).isEmpty();
        }
    }

    @Test
    void shouldRefuseAnExistingTargetAndLeaveItAlone() throws IOException {
        Path source = Fixtures.model("tiny-qwen2");
        Path target = Files.createDirectories(dir.resolve("taken"));
        Files.writeString(target.resolve("config.json"), "{}");

        try (Checkpoint checkpoint = Checkpoint.open(source)) {
            assertThatThrownBy(() -> HfCheckpointWriter.write(weightsOf(checkpoint), source, target, TorchDtype.FLOAT32))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already exists");
        }

        assertThat(filesIn(target)).containsExactly("config.json");
        assertThat(target.resolve("config.json")).hasContent("{}");
    }

    @Test
    void shouldRefuseWeightsThatAreNotTheSourceConfigsParameters() throws IOException {
        Path target = dir.resolve("mismatch");

        try (Checkpoint qwen = Checkpoint.open(Fixtures.model("tiny-qwen2"))) {
            assertThatThrownBy(() -> HfCheckpointWriter.write(weightsOf(qwen), Fixtures.model("tiny-llama"), target,
                    TorchDtype.FLOAT32))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("lm_head.weight[2048, 64]")
                    .hasMessageContaining("model.layers.0.self_attn.q_proj.bias[64]");
        }

        assertThat(filesIn(dir)).isEmpty();
    }

    @Test
    void shouldNameTorchDtypesAsConfigsDo() {
        assertThat(TorchDtype.of("bfloat16")).isEqualTo(TorchDtype.BFLOAT16);
        assertThat(TorchDtype.of("torch.float16")).isEqualTo(TorchDtype.FLOAT16);
        assertThat(TorchDtype.of("float32").dtype()).isEqualTo(DType.F32);
        assertThatThrownBy(() -> TorchDtype.of("float8_e4m3fn")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("float8_e4m3fn");
    }

    /** The checkpoint's tensors as weights to write. */
    static NamedWeights weightsOf(Checkpoint checkpoint) {
        return new NamedWeights() {
            @Override
            public List<ParameterSpec> parameters() {
                return checkpoint.names().stream().map(n -> new ParameterSpec(n, checkpoint.info(n).shape())).toList();
            }

            @Override
            public float[] readFloat32(String name) {
                return checkpoint.readFloat32(name);
            }
        };
    }

    private static JsonNode json(Path file) throws IOException {
        return new ObjectMapper().readTree(file.toFile());
    }

    private static void editConfig(Path model, String from, String to) throws IOException {
        Path config = model.resolve("config.json");
        String text = Files.readString(config);
        assertThat(text).contains(from);
        Files.writeString(config, text.replace(from, to));
    }

    private static List<String> filesIn(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
