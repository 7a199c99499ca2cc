package org.iterpref.trainer.model;

import org.iterpref.trainer.Fixtures;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Logits parity with the float64 reference ({@code expected_forward.safetensors}) on the fixture
 * batch (rows 1 and 2 right-padded), at the positions where {@code attention_mask == 1}.
 * Tolerance from the fixtures README, "Tolerances for a float32 implementation": logits max abs
 * error ≤ 1e-3.
 */
class DecoderLogitsParityTest {

    /** The README's logits tolerance (max abs error). */
    static final double LOGITS_TOLERANCE = 1e-3;

    private static NDManager manager;

    @BeforeAll
    static void startEngine() {
        manager = Engines.newCpuManager();
    }

    @AfterAll
    static void closeManager() {
        manager.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-llama", "tiny-qwen2-bf16-sharded"})
    void logitsMatchTheFloat64Reference(String modelName) {
        ExpectedForward expected = ExpectedForward.read(Fixtures.model(modelName));
        LogitsDiff diff = LogitsDiff.of(forward(modelName, expected), expected);
        System.out.printf("%s logits vs float64 reference: %s%n", modelName, diff);
        assertThat(diff.compared()).as("unpadded positions compared").isLessThan(expected.batch() * expected.length())
                .isGreaterThan(expected.length());
        assertThat(diff.maxAbs())
                .as("%s: max abs logits error over attention_mask==1 positions must be <= %s (fixtures README"
                        + " tolerance for float32 logits); %s", modelName, LOGITS_TOLERANCE, diff)
                .isLessThanOrEqualTo(LOGITS_TOLERANCE);
    }

    @Test
    void bf16RoundedWeightsMoveTheLogitsByAboutTheReadmesAmount() {
        ExpectedForward qwen = ExpectedForward.read(Fixtures.model("tiny-qwen2"));
        ExpectedForward bf16 = ExpectedForward.read(Fixtures.model("tiny-qwen2-bf16-sharded"));
        assertThat(bf16.inputIds()).as("same fixture batch").isEqualTo(qwen.inputIds());
        assertThat(bf16.attentionMask()).isEqualTo(qwen.attentionMask());
        float[] bf16Logits = forward("tiny-qwen2-bf16-sharded", bf16);

        LogitsDiff fromQwen = LogitsDiff.of(bf16Logits, bf16, qwen.logits());
        LogitsDiff referenceGap = LogitsDiff.of(toFloats(bf16.logits()), bf16, qwen.logits());
        LogitsDiff own = LogitsDiff.of(bf16Logits, bf16);
        System.out.printf("bf16-sharded vs tiny-qwen2 reference: %s (references differ by %s)%n", fromQwen, referenceGap);
        assertThat(own.maxAbs()).as("bf16-sharded vs its own reference must be <= %s (README); %s", LOGITS_TOLERANCE, own)
                .isLessThanOrEqualTo(LOGITS_TOLERANCE);
        assertThat(fromQwen.maxAbs())
                .as("README: the bf16-rounded model's logits are about 0.04 away from tiny-qwen2's; %s", fromQwen)
                .isBetween(0.01, 0.2)
                .isCloseTo(referenceGap.maxAbs(), Offset.offset(2 * LOGITS_TOLERANCE));
    }

    @Test
    void logitsAreFloat32InTheCallersManagerWithTheBatchShape() {
        ExpectedForward expected = ExpectedForward.read(Fixtures.model("tiny-qwen2"));
        try (NDManager caller = manager.newSubManager();
             DecoderModel model = DecoderModel.load(Fixtures.model("tiny-qwen2"), manager)) {
            NDArray ids = caller.create(expected.inputIds(), new Shape(expected.batch(), expected.length()));
            NDArray mask = caller.create(expected.attentionMask(), new Shape(expected.batch(), expected.length()));
            NDArray logits = model.logits(ids, mask);
            assertThat(logits.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(logits.getShape()).isEqualTo(new Shape(expected.batch(), expected.length(), expected.vocab()));
            assertThat(logits.getManager()).isSameAs(caller);
        }
    }

    /** Loads {@code modelName}, runs the fixture batch, returns the logits as a flat float array. */
    private static float[] forward(String modelName, ExpectedForward batch) {
        try (NDManager caller = manager.newSubManager();
             DecoderModel model = DecoderModel.load(Fixtures.model(modelName), manager)) {
            Shape shape = new Shape(batch.batch(), batch.length());
            NDArray logits = model.logits(caller.create(batch.inputIds(), shape), caller.create(batch.attentionMask(), shape));
            return logits.toFloatArray();
        }
    }

    private static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
