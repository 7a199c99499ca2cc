package org.iterpref.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import org.iterpref.trainer.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The float16 path (weights in float16; norms, attention scores, softmax and logits in float32),
 * as GPU serving runs it, against the float64 references. On the CPU here by default; on a GPU
 * with {@code -Diterpref.test.device=gpu}. Float16 keeps about 3 significant digits, so the
 * tolerance is {@value #HALF_LOGITS_TOLERANCE} instead of float32's 1e-3.
 */
class HalfPrecisionParityTest {

    static final double HALF_LOGITS_TOLERANCE = 2e-2;
    private static NDManager manager;

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
    void float16LogitsStayCloseToTheFloat64Reference(String modelName) {
        ExpectedForward expected = ExpectedForward.read(Fixtures.model(modelName));
        try (NDManager caller = manager.newSubManager();
             DecoderModel model = DecoderModel.load(Fixtures.model(modelName), manager, DataType.FLOAT16)) {
            assertThat(model.dataType()).isEqualTo(DataType.FLOAT16);
            Shape shape = new Shape(expected.batch(), expected.length());
            NDArray logits = model.logits(caller.create(expected.inputIds(), shape),
                    caller.create(expected.attentionMask(), shape));
            assertThat(logits.getDataType()).isEqualTo(DataType.FLOAT32);
            LogitsDiff diff = LogitsDiff.of(logits.toFloatArray(), expected);
            System.out.printf("%s float16 on %s vs float64 reference: %s%n", modelName, model.device(), diff);
            assertThat(diff.maxAbs()).as("%s float16 logits; %s", modelName, diff)
                    .isLessThanOrEqualTo(HALF_LOGITS_TOLERANCE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-llama"})
    void float16GreedyDecodingAgreesWithTheReferenceWhereItIsNotANearTie(String modelName) throws IOException {
        JsonNode expected = new ObjectMapper().readTree(
                Fixtures.model(modelName).resolve("expected_greedy.json").toFile());
        long[] prompt = GreedyGenerationTest.longs(expected.path("prompt_ids"));
        long[] want = GreedyGenerationTest.longs(expected.path("greedy_new_ids"));
        try (DecoderModel model = DecoderModel.load(Fixtures.model(modelName), manager, DataType.FLOAT16)) {
            long[] got = model.generateGreedy(prompt, want.length);
            int agree = 0;
            while (agree < want.length && got[agree] == want[agree]) {
                agree++;
            }
            System.out.printf("%s float16 greedy: %d of %d reference tokens before the first difference%n",
                    modelName, agree, want.length);
            assertThat(agree).as("the first tokens are far from ties").isGreaterThanOrEqualTo(1);
        }
    }
}
