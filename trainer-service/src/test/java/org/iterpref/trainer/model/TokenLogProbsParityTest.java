package org.iterpref.trainer.model;

import org.iterpref.trainer.Fixtures;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.iterpref.trainer.checkpoint.SafetensorsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link DecoderModel#tokenLogProbs} against the dpo fixtures: {@code batch.safetensors →
 * policy_token_logps} (column {@code t} = log p(ids[t] | ids[<t]), so our column {@code t-1}) for
 * tiny-qwen2 at every real position {@code t ≥ 1}, the per-sequence sums over {@code focal_mask}
 * ({@code expected.json → results.dpo.policy_chosen_logps / policy_rejected_logps}), and the
 * reference model's sums ({@code reference_logps}, tiny-qwen2-ref). Tolerance (README, sequence
 * logps): {@code abs error ≤ 1e-3 + 1e-5·|value|}, applied to each token and each sum.
 */
class TokenLogProbsParityTest {

    private static NDManager manager;
    private static Batch batch;

    record Batch(long[] ids, long[] mask, boolean[] focal, double[] tokenLogps, double[] referenceLogps,
                 int rows, int length) {
    }

    @BeforeAll
    static void setUp() {
        manager = Engines.newCpuManager();
        try (SafetensorsFile file = SafetensorsFile.open(dpo().resolve("batch.safetensors"))) {
            long[] shape = file.info("input_ids").shape();
            batch = new Batch(file.readInt64("input_ids"), file.readInt64("attention_mask"),
                    file.readBool("focal_mask"), file.readFloat64("policy_token_logps"),
                    file.readFloat64("reference_logps"), (int) shape[0], (int) shape[1]);
        }
    }

    @AfterAll
    static void closeManager() {
        manager.close();
    }

    static double tolerance(double value) {
        return 1e-3 + 1e-5 * Math.abs(value);
    }

    @Test
    void perTokenLogProbsMatchThePolicyReference() {
        float[] ours = tokenLogProbs("tiny-qwen2");
        double maxErr = 0;
        int compared = 0;
        for (int b = 0; b < batch.rows(); b++) {
            for (int t = 1; t < batch.length(); t++) {
                if (batch.mask()[b * batch.length() + t] != 1) {
                    continue;
                }
                double expected = batch.tokenLogps()[b * batch.length() + t];
                double err = Math.abs(ours[b * (batch.length() - 1) + t - 1] - expected);
                maxErr = Math.max(maxErr, err);
                compared++;
                assertThat(err).as("row %d column %d: %s vs %s", b, t, ours[b * (batch.length() - 1) + t - 1], expected)
                        .isLessThanOrEqualTo(tolerance(expected));
            }
        }
        System.out.printf("tiny-qwen2 per-token logps: max abs error %.3e over %d tokens%n", maxErr, compared);
        assertThat(compared).isGreaterThan(batch.rows() * 10);
    }

    @Test
    void focalSumsMatchTheSequenceLogps() throws IOException {
        JsonNode dpo = new ObjectMapper().readTree(dpo().resolve("expected.json").toFile()).path("results").path("dpo");
        double[] sums = focalSums(tokenLogProbs("tiny-qwen2"));
        int pairs = batch.rows() / 2;
        double maxErr = 0;
        for (int i = 0; i < batch.rows(); i++) {
            JsonNode list = dpo.path(i < pairs ? "policy_chosen_logps" : "policy_rejected_logps");
            double expected = list.get(i % pairs).asDouble();
            maxErr = Math.max(maxErr, Math.abs(sums[i] - expected));
            assertThat(sums[i]).as("row %d focal-summed policy logps", i).isCloseTo(expected,
                    org.assertj.core.data.Offset.offset(tolerance(expected)));
        }
        System.out.printf("tiny-qwen2 focal-summed logps: max abs error %.3e%n", maxErr);
    }

    @Test
    void referenceModelFocalSumsMatchReferenceLogps() {
        double[] sums = focalSums(tokenLogProbs("tiny-qwen2-ref"));
        double maxErr = 0;
        for (int i = 0; i < batch.rows(); i++) {
            double expected = batch.referenceLogps()[i];
            maxErr = Math.max(maxErr, Math.abs(sums[i] - expected));
            assertThat(sums[i]).as("row %d reference logps", i).isCloseTo(expected,
                    org.assertj.core.data.Offset.offset(tolerance(expected)));
        }
        System.out.printf("tiny-qwen2-ref focal-summed logps: max abs error %.3e%n", maxErr);
    }

    @Test
    void resultIsFloat32BatchByLengthMinusOneInTheCallersManager() {
        try (NDManager caller = manager.newSubManager();
             DecoderModel model = DecoderModel.load(Fixtures.model("tiny-qwen2"), manager)) {
            Shape shape = new Shape(batch.rows(), batch.length());
            NDArray logps = model.tokenLogProbs(caller.create(batch.ids(), shape), caller.create(batch.mask(), shape));
            assertThat(logps.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(logps.getShape()).isEqualTo(new Shape(batch.rows(), batch.length() - 1));
            assertThat(logps.getManager()).isSameAs(caller);
            assertThat(logps.max().getFloat()).isLessThanOrEqualTo(0f);
        }
    }

    /** Sum of our column {@code t-1} over positions {@code t} where {@code focal_mask} is set. */
    private static double[] focalSums(float[] ours) {
        double[] sums = new double[batch.rows()];
        for (int b = 0; b < batch.rows(); b++) {
            for (int t = 1; t < batch.length(); t++) {
                if (batch.focal()[b * batch.length() + t]) {
                    sums[b] += ours[b * (batch.length() - 1) + t - 1];
                }
            }
        }
        return sums;
    }

    private static float[] tokenLogProbs(String modelName) {
        try (NDManager caller = manager.newSubManager();
             DecoderModel model = DecoderModel.load(Fixtures.model(modelName), manager)) {
            Shape shape = new Shape(batch.rows(), batch.length());
            return model.tokenLogProbs(caller.create(batch.ids(), shape), caller.create(batch.mask(), shape))
                    .toFloatArray();
        }
    }

    private static Path dpo() {
        return Fixtures.root().resolve("dpo");
    }
}
