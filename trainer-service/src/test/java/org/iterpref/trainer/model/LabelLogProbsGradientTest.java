package org.iterpref.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.iterpref.trainer.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link LabelLogProbs}' chunked log-probs and analytic head backward against plain autograd
 * through the full {@code [B, L, V]} logits, for a tied (tiny-qwen2) and an untied (tiny-llama)
 * head, with one chunk or many, logits kept or recomputed: same log-probs (≤ 1e-5) and every
 * parameter's gradient of {@code Σ cᵢ·logpᵢ} within {@code 1e-4·‖g‖}.
 */
class LabelLogProbsGradientTest {

    private static NDManager manager;

    @BeforeAll
    static void setUp() {
        manager = Engines.newCpuManager();
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    @ParameterizedTest(name = "{0}, {1} logits per chunk, keep {2}, checkpointing {3}")
    @CsvSource({"tiny-qwen2, 100000000, 100000000, false", "tiny-qwen2, 5000, 0, false",
            "tiny-llama, 100000000, 100000000, false", "tiny-llama, 7000, 0, false",
            "tiny-llama, 7000, 100000000, false", "tiny-qwen2, 5000, 0, true", "tiny-llama, 100000000, 100000000, true"})
    void chunkedLogProbsAndGradientsEqualAutogradThroughFullLogits(String name, long chunk, long keep,
                                                                   boolean checkpointing) {
        int batch = 2;
        int length = 24;
        Random random = new Random(3);
        long[] ids = new long[batch * length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = random.nextInt(2045);
        }
        long[] mask = new long[batch * length];
        java.util.Arrays.fill(mask, 1);
        java.util.Arrays.fill(mask, length + 18, 2 * length, 0);
        // labels: positions 5.. of row 0, 3..17 of row 1 (row 1 is right-padded after 18)
        int labels = (length - 5) + (18 - 3);
        long[] rows = new long[labels];
        long[] targets = new long[labels];
        float[] coefficients = new float[labels];
        int n = 0;
        for (int t = 5; t < length; t++, n++) {
            rows[n] = t - 1;
            targets[n] = ids[t];
        }
        for (int t = 3; t < 18; t++, n++) {
            rows[n] = length + t - 1;
            targets[n] = ids[length + t];
        }
        for (int i = 0; i < labels; i++) {
            coefficients[i] = (float) random.nextGaussian();
        }
        Shape shape = new Shape(batch, length);

        float[] ours;
        Map<String, float[]> ourGradients;
        try (DecoderModel model = DecoderModel.load(Fixtures.model(name), manager); NDManager scope = model.newScope()) {
            model.enableGradients();
            try (GradientCollector collector = Engine.getEngine(model.engineName()).newGradientCollector();
                 LabelLogProbs logProbs = model.labelLogProbs(scope, scope.create(ids, shape), scope.create(mask, shape),
                         rows, targets, true, checkpointing, chunk, keep)) {
                ours = logProbs.values();
                logProbs.backward(collector, coefficients);
            }
            ourGradients = read(model.gradients(scope));
        }

        float[] reference = new float[labels];
        Map<String, float[]> referenceGradients;
        try (DecoderModel model = DecoderModel.load(Fixtures.model(name), manager); NDManager scope = model.newScope()) {
            model.enableGradients();
            try (GradientCollector collector = Engine.getEngine(model.engineName()).newGradientCollector()) {
                NDArray logits = model.block().forward(new ParameterStore(scope, false),
                        new NDList(scope.create(ids, shape), scope.create(mask, shape)), true).head();
                NDArray flat = logits.reshape(batch * length, -1).logSoftmax(-1);
                NDArray picked = flat.get(new ai.djl.ndarray.index.NDIndex("{}", scope.create(rows)))
                        .gather(scope.create(targets).expandDims(-1), -1).squeeze(-1);
                System.arraycopy(picked.toFloatArray(), 0, reference, 0, labels);
                collector.backward(picked.mul(scope.create(coefficients)).sum());
            }
            referenceGradients = read(model.gradients(scope));
        }

        for (int i = 0; i < labels; i++) {
            assertThat(ours[i]).isCloseTo(reference[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
        assertThat(ourGradients.keySet()).isEqualTo(referenceGradients.keySet());
        for (Map.Entry<String, float[]> entry : referenceGradients.entrySet()) {
            float[] want = entry.getValue();
            float[] got = ourGradients.get(entry.getKey());
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < want.length; i++) {
                diff += (got[i] - want[i]) * (double) (got[i] - want[i]);
                norm += want[i] * (double) want[i];
            }
            assertThat(Math.sqrt(diff)).as("gradient of %s", entry.getKey()).isLessThanOrEqualTo(1e-4 * Math.sqrt(norm));
        }
    }

    private static Map<String, float[]> read(Map<String, NDArray> gradients) {
        Map<String, float[]> values = new LinkedHashMap<>();
        gradients.forEach((name, g) -> values.put(name, g.toFloatArray()));
        return values;
    }
}
