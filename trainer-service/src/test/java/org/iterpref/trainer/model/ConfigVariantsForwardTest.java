package org.iterpref.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.iterpref.trainer.Fixtures;
import org.iterpref.trainer.checkpoint.RopeScaling;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture models with the config fields of real checkpoints added: Llama 3 rope scaling, which
 * changes every position but the first, and Qwen2.5's unused sliding-window fields, which change
 * nothing.
 */
class ConfigVariantsForwardTest {

    /**
     * Llama 3 scaling sized for tiny-llama (head_dim 16, θ 10000): with an original context of 64,
     * frequency 0 (wavelength 6.3) is kept, 1 and 2 (wavelengths 20 and 63) are blended and 3..7 are
     * divided by the factor, so all three bands are in use.
     */
    private static final String LLAMA3_SCALING = "\"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0,"
            + " \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 64}";

    private static NDManager manager;

    @TempDir
    Path dir;

    @BeforeAll
    static void startEngine() {
        manager = Engines.newCpuManager();
    }

    @AfterAll
    static void closeManager() {
        manager.close();
    }

    @Test
    void llama3ScalingChangesTheLogitsAfterThePositionWhereRotationIsIdentity() throws IOException {
        Path scaled = Fixtures.copyModel("tiny-llama", dir.resolve("scaled"));
        editConfig(scaled, "\"rope_scaling\": null", LLAMA3_SCALING);
        ExpectedForward batch = ExpectedForward.read(Fixtures.model("tiny-llama"));

        float[] plainLogits = logits(Fixtures.model("tiny-llama"), batch);
        float[] scaledLogits = logits(scaled, batch);

        for (int b = 0; b < batch.batch(); b++) {
            assertThat(slice(scaledLogits, batch, b, 0)).as("row %d, position 0: cos 1, sin 0 either way", b)
                    .containsExactly(slice(plainLogits, batch, b, 0));
        }
        double laterDifference = 0;
        for (int t = 1; t < batch.length(); t++) {
            if (batch.real(0, t)) {
                laterDifference = Math.max(laterDifference, maxAbsDifference(
                        slice(scaledLogits, batch, 0, t), slice(plainLogits, batch, 0, t)));
            }
        }
        System.out.printf("tiny-llama with llama3 rope scaling: max logit change after position 0 %.3e%n",
                laterDifference);
        assertThat(laterDifference).as("scaled frequencies must move later positions' logits").isGreaterThan(1e-2);
    }

    @Test
    void llama3ScaledModelCarriesItsScaling() throws IOException {
        Path scaled = Fixtures.copyModel("tiny-llama", dir.resolve("scaled"));
        editConfig(scaled, "\"rope_scaling\": null", LLAMA3_SCALING);

        try (DecoderModel model = DecoderModel.load(scaled, manager)) {
            assertThat(model.config().ropeScaling()).isEqualTo(new RopeScaling.Llama3(8.0, 1.0, 4.0, 64));
        }
    }

    @Test
    void llama3ScaledModelDecodesTheSameWithAndWithoutTheKvCache() throws IOException {
        Path scaled = Fixtures.copyModel("tiny-llama", dir.resolve("scaled"));
        editConfig(scaled, "\"rope_scaling\": null", LLAMA3_SCALING);
        long[] prompt = {1, 17, 300, 42, 7, 999, 12, 5};

        try (DecoderModel model = DecoderModel.load(scaled, manager)) {
            assertThat(model.generateGreedy(prompt, 12)).containsExactly(model.generateGreedyUncached(prompt, 12));
        }
    }

    @Test
    void qwen25SlidingWindowFieldsLeaveTheLogitsUnchangedWhenSwitchedOff() throws IOException {
        Path qwen25 = Fixtures.copyModel("tiny-qwen2", dir.resolve("qwen25"));
        editConfig(qwen25, "\"sliding_window\": null", "\"sliding_window\": 131072, \"use_mrope\": false");
        editConfig(qwen25, "\"max_window_layers\": 2", "\"max_window_layers\": 1");
        ExpectedForward batch = ExpectedForward.read(Fixtures.model("tiny-qwen2"));

        float[] withFields = logits(qwen25, batch);

        assertThat(withFields).containsExactly(logits(Fixtures.model("tiny-qwen2"), batch));
    }

    private static float[] logits(Path modelDir, ExpectedForward batch) {
        try (NDManager caller = manager.newSubManager();
             DecoderModel model = DecoderModel.load(modelDir, manager)) {
            Shape shape = new Shape(batch.batch(), batch.length());
            return model.logits(caller.create(batch.inputIds(), shape), caller.create(batch.attentionMask(), shape))
                    .toFloatArray();
        }
    }

    private static float[] slice(float[] logits, ExpectedForward batch, int row, int position) {
        int from = (row * batch.length() + position) * batch.vocab();
        return Arrays.copyOfRange(logits, from, from + batch.vocab());
    }

    private static double maxAbsDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static void editConfig(Path model, String from, String to) throws IOException {
        Path config = model.resolve("config.json");
        String json = Files.readString(config);
        assertThat(json).contains(from);
        Files.writeString(config, json.replace(from, to));
    }
}
