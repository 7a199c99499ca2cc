package org.iterpref.trainer.model;

import org.iterpref.trainer.Fixtures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.iterpref.trainer.checkpoint.Checkpoint;
import org.iterpref.trainer.checkpoint.CheckpointException;
import org.iterpref.trainer.checkpoint.ModelConfig;
import org.iterpref.trainer.checkpoint.ParameterSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The block tree names its parameters exactly as the Hugging Face checkpoint does. */
class DecoderBlockStructureTest {

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-llama"})
    void loadsEveryParameterTheConfigImpliesByItsHfName(String modelName) {
        ModelConfig config = ModelConfig.read(Fixtures.model(modelName));
        List<String> expected = config.expectedParameters().stream().map(ParameterSpec::name).toList();
        try (NDManager manager = Engines.newCpuManager();
             Checkpoint checkpoint = Checkpoint.open(Fixtures.model(modelName))) {
            CausalLm block = new CausalLm(config);
            assertThat(HfWeights.load(block, checkpoint, manager)).containsExactlyElementsOf(expected);
            for (Pair<String, Parameter> p : block.getParameters()) {
                assertThat(p.getValue().isInitialized()).as(p.getKey()).isTrue();
            }
        }
    }

    @Test
    void engineIsPyTorchAndOffline() {
        assertThat(Engines.pytorch().getEngineName()).isEqualTo("PyTorch");
        assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
    }

    @Test
    void aCheckpointThatDoesNotMatchItsConfigIsRejectedBeforeLoading(@TempDir Path dir)
            throws IOException {
        Path model = Fixtures.model("tiny-qwen2");
        Files.copy(model.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        String config = Files.readString(model.resolve("config.json"))
                .replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3");
        Files.writeString(dir.resolve("config.json"), config);
        try (NDManager manager = Engines.newCpuManager()) {
            assertThatThrownBy(() -> DecoderModel.load(dir, manager))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("model.layers.2.");
        }
    }

    @Test
    void childNamesDropOnlyDjlsPositionPrefix() {
        assertThat(HfParameters.hfName("01self_attn", 1)).isEqualTo("self_attn");
        assertThat(HfParameters.hfName("12layers.10", 12)).isEqualTo("layers.10");
        assertThat(HfParameters.hfName("102layers.99", 102)).isEqualTo("layers.99");
        assertThatThrownBy(() -> HfParameters.hfName("02norm", 3)).isInstanceOf(IllegalStateException.class);
    }
}
