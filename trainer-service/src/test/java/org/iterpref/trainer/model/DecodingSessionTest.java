package org.iterpref.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.iterpref.trainer.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A KV-cached session fed in pieces of any size gives the logits of a full forward pass over the
 * whole sequence, refuses to run past the model's positions, and frees its cache on close.
 */
class DecodingSessionTest {

    private static NDManager manager;
    private static DecoderModel model;

    @BeforeAll
    static void load() {
        manager = Engines.newCpuManager();
        model = DecoderModel.load(Fixtures.model("tiny-llama"), manager);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static float[] lastLogits(long[] ids) {
        try (NDManager scope = manager.newSubManager()) {
            Shape shape = new Shape(1, ids.length);
            NDArray input = scope.create(ids, shape);
            return model.logits(input, scope.ones(shape, input.getDataType())).get("0, -1, :").toFloatArray();
        }
    }

    @Test
    void piecesOfAnySizeGiveTheFullForwardLogits() {
        long[] ids = {2046, 401, 114, 10, 87, 403, 101, 266, 1699, 626, 728};
        try (DecodingSession session = model.newSession()) {
            float[] logits = session.feed(Arrays.copyOfRange(ids, 0, 4));
            assertClose(logits, lastLogits(Arrays.copyOfRange(ids, 0, 4)));
            logits = session.feed(ids[4]);
            assertClose(logits, lastLogits(Arrays.copyOfRange(ids, 0, 5)));
            logits = session.feed(Arrays.copyOfRange(ids, 5, ids.length));
            assertClose(logits, lastLogits(ids));
            assertThat(session.length()).isEqualTo(ids.length);
        }
    }

    @Test
    void refusesToRunPastTheModelsPositions() {
        int positions = model.config().maxPositionEmbeddings();
        try (DecodingSession session = model.newSession()) {
            session.feed(new long[positions - 1]);
            session.feed(7);
            assertThatThrownBy(() -> session.feed(7)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Integer.toString(positions));
        }
    }

    @Test
    void closingFreesTheCache() {
        int weights = model.liveArrays();
        DecodingSession session = model.newSession();
        session.feed(1, 2, 3);
        assertThat(model.liveArrays()).isGreaterThan(weights);
        session.close();
        assertThat(model.liveArrays()).isEqualTo(weights);
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            max = Math.max(max, Math.abs(actual[i] - expected[i]));
        }
        assertThat(max).isLessThan(1e-4);
    }
}
