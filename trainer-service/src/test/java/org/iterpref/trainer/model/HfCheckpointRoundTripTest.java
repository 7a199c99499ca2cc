package org.iterpref.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Set;
import org.iterpref.trainer.Fixtures;
import org.iterpref.trainer.checkpoint.Checkpoint;
import org.iterpref.trainer.checkpoint.DType;
import org.iterpref.trainer.checkpoint.HfCheckpointWriter;
import org.iterpref.trainer.checkpoint.NamedWeights;
import org.iterpref.trainer.checkpoint.ParameterSpec;
import org.iterpref.trainer.checkpoint.SafetensorsFile;
import org.iterpref.trainer.checkpoint.TorchDtype;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A loaded model written with {@link HfCheckpointWriter} and loaded again: the same tensors under
 * the same names, the same logits, and half-precision targets rounded exactly as PyTorch rounds.
 * On the CPU by default; on a GPU with {@code -Diterpref.test.device=gpu}.
 */
class HfCheckpointRoundTripTest {

    private static NDManager manager;

    @TempDir
    Path dir;

    @BeforeAll
    static void startEngine() {
        manager = Engines.newManager(System.getProperty("iterpref.test.device", "cpu"));
    }

    @AfterAll
    static void closeManager() {
        manager.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-llama"})
    void float32CheckpointReloadsWithBitIdenticalTensorsAndLogits(String modelName) {
        Path source = Fixtures.model(modelName);
        Path target = dir.resolve("written");

        try (DecoderModel model = DecoderModel.load(source, manager)) {
            model.save(source, target, TorchDtype.FLOAT32);
        }

        try (SafetensorsFile written = SafetensorsFile.open(target.resolve(Checkpoint.SINGLE_FILE));
             SafetensorsFile original = SafetensorsFile.open(source.resolve(Checkpoint.SINGLE_FILE))) {
            assertThat(written.names()).containsExactlyInAnyOrderElementsOf(original.names());
            for (String name : original.names()) {
                assertThat(written.info(name).dtype()).isEqualTo(DType.F32);
                assertThat(written.info(name).shape()).isEqualTo(original.info(name).shape());
                assertThat(bits(written.readFloat32(name))).as(name).isEqualTo(bits(original.readFloat32(name)));
            }
            assertThat(written.contains("lm_head.weight")).isEqualTo(modelName.equals("tiny-llama"));
        }
        assertThat(bits(logits(target))).as("logits of the reloaded model").isEqualTo(bits(logits(source)));
    }

    @Test
    void bfloat16CheckpointHoldsTinyQwen2RoundedAsTorchRoundsIt() {
        Path source = Fixtures.model("tiny-qwen2");
        Path reference = Fixtures.model("tiny-qwen2-bf16-sharded");
        Path target = dir.resolve("bf16");

        try (DecoderModel model = DecoderModel.load(source, manager)) {
            HfCheckpointWriter.write(model.namedWeights(), source, target, TorchDtype.BFLOAT16);
        }

        try (SafetensorsFile written = SafetensorsFile.open(target.resolve(Checkpoint.SINGLE_FILE));
             Checkpoint rounded = Checkpoint.open(reference)) {
            assertThat(written.names()).containsExactlyInAnyOrderElementsOf(rounded.names());
            for (String name : rounded.names()) {
                assertThat(written.info(name).dtype()).isEqualTo(DType.BF16);
                assertThat(bits(written.readFloat32(name))).as("%s as bfloat16", name)
                        .isEqualTo(bits(rounded.readFloat32(name)));
            }
        }
        assertThat(bits(logits(target))).as("same float32 weights after widening, same logits")
                .isEqualTo(bits(logits(reference)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-llama"})
    void float16CheckpointMatchesTorchsOwnFloat16Rounding(String modelName) {
        Path source = Fixtures.model(modelName);
        Path target = dir.resolve("f16");

        try (DecoderModel model = DecoderModel.load(source, manager)) {
            model.save(source, target, TorchDtype.FLOAT16);
        }

        // DecoderModel.load with FLOAT16 converts with torch's Tensor.to(torch.float16)
        try (DecoderModel torchRounded = DecoderModel.load(source, manager, DataType.FLOAT16);
             SafetensorsFile written = SafetensorsFile.open(target.resolve(Checkpoint.SINGLE_FILE))) {
            NamedWeights expected = torchRounded.namedWeights();
            for (ParameterSpec spec : expected.parameters()) {
                assertThat(written.info(spec.name()).dtype()).isEqualTo(DType.F16);
                assertThat(bits(written.readFloat32(spec.name()))).as("%s as float16", spec.name())
                        .isEqualTo(bits(expected.readFloat32(spec.name())));
            }
        }
    }

    @Test
    void float16ModelIsWrittenAsItsExactFloat32WideningWithoutKeepingCopies() {
        Path source = Fixtures.model("tiny-llama");
        Path target = dir.resolve("widened");

        try (DecoderModel half = DecoderModel.load(source, manager, DataType.FLOAT16)) {
            int arraysBefore = half.liveArrays();
            half.save(source, target, TorchDtype.FLOAT32);
            assertThat(half.liveArrays()).as("no host copies left with the weights").isEqualTo(arraysBefore);

            try (SafetensorsFile written = SafetensorsFile.open(target.resolve(Checkpoint.SINGLE_FILE));
                 Checkpoint original = Checkpoint.open(source)) {
                for (String name : original.names()) {
                    float[] expected = roundToFloat16(original.readFloat32(name));
                    assertThat(written.info(name).dtype()).isEqualTo(DType.F32);
                    assertThat(bits(written.readFloat32(name))).as(name).isEqualTo(bits(expected));
                }
            }
        }
    }

    @Test
    void namedWeightsAreTheConfigsParametersWithTheirShapes() {
        try (DecoderModel model = DecoderModel.load(Fixtures.model("tiny-qwen2"), manager)) {
            Set<ParameterSpec> named = Set.copyOf(model.namedWeights().parameters());

            assertThat(named).isEqualTo(Set.copyOf(model.config().expectedParameters()));
        }
    }

    /** Logits of the fixture batch for the model in {@code modelDir}, loaded as float32. */
    private static float[] logits(Path modelDir) {
        ExpectedForward batch = ExpectedForward.read(Fixtures.model("tiny-qwen2"));
        try (NDManager caller = manager.newSubManager();
             DecoderModel model = DecoderModel.load(modelDir, manager)) {
            Shape shape = new Shape(batch.batch(), batch.length());
            return model.logits(caller.create(batch.inputIds(), shape), caller.create(batch.attentionMask(), shape))
                    .toFloatArray();
        }
    }

    /** float32 → float16 → float32, round to nearest even, by PyTorch on the CPU. */
    private static float[] roundToFloat16(float[] values) {
        try (NDManager scratch = Engines.newCpuManager()) {
            return scratch.create(values).toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false).toFloatArray();
        }
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }
}
