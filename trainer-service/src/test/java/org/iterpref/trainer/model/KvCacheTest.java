package org.iterpref.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.iterpref.trainer.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The KV cache across many steps (tiny-qwen2: grouped-query attention, 4 heads over 2 KV heads):
 * a step leaves nothing behind but the cache itself — not even what it derived from the cached keys
 * and values — and the logits stay those of a full forward pass past the cache's initial capacity,
 * where its buffers grow.
 */
class KvCacheTest {

    private static NDManager manager;
    private static DecoderModel model;

    @BeforeAll
    static void load() {
        manager = Engines.newCpuManager();
        model = DecoderModel.load(Fixtures.model("tiny-qwen2"), manager);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void aStepLeavesOnlyTheCacheBehind() {
        int weights = liveArrays();
        try (KvCache cache = new KvCache(model.block().layerCount(), model.weightsManager())) {
            long next = Logits.argmax(step(cache, 2046, 401, 114));
            int afterPrefill = liveArrays();
            assertThat(afterPrefill).isGreaterThan(weights);
            for (int i = 0; i < 3 * KvCache.INITIAL_CAPACITY; i++) {
                next = Logits.argmax(step(cache, next));
                assertThat(liveArrays()).as("arrays alive after step %d", i + 1).isEqualTo(afterPrefill);
            }
            assertThat(cache.length()).isEqualTo(3 + 3 * KvCache.INITIAL_CAPACITY);
        }
        assertThat(liveArrays()).isEqualTo(weights);
    }

    @Test
    void logitsMatchAFullForwardPastTheInitialCapacity() {
        int total = 2 * KvCache.INITIAL_CAPACITY + 12;
        Set<Integer> checked = new TreeSet<>(Set.of(5, KvCache.INITIAL_CAPACITY - 1, KvCache.INITIAL_CAPACITY,
                KvCache.INITIAL_CAPACITY + 1, 2 * KvCache.INITIAL_CAPACITY, 2 * KvCache.INITIAL_CAPACITY + 1, total));
        long[] ids = new long[total];
        long[] prompt = {2046, 401, 114, 10, 87};
        System.arraycopy(prompt, 0, ids, 0, prompt.length);
        try (KvCache cache = new KvCache(model.block().layerCount(), model.weightsManager())) {
            float[] logits = step(cache, prompt);
            for (int length = prompt.length; ; length++) {
                if (checked.contains(length)) {
                    float[] full = fullForwardLastLogits(Arrays.copyOf(ids, length));
                    double maxAbs = 0;
                    for (int v = 0; v < full.length; v++) {
                        maxAbs = Math.max(maxAbs, Math.abs(full[v] - logits[v]));
                    }
                    assertThat(maxAbs).as("cached vs full forward at length %d", length)
                            .isLessThanOrEqualTo(GreedyGenerationTest.CACHE_LOGITS_TOLERANCE);
                }
                if (length == total) {
                    break;
                }
                ids[length] = Logits.argmax(logits);
                logits = step(cache, ids[length]);
            }
        }
    }

    /** One KV-cached step in its own scope, as the greedy decoder runs it: the logits after {@code ids}. */
    private static float[] step(KvCache cache, long... ids) {
        try (NDManager scope = model.weightsManager().newSubManager()) {
            NDArray input = scope.create(ids, new Shape(1, ids.length));
            NDArray logits = model.block().forwardCached(new ParameterStore(scope, false), input, cache);
            return logits.get("0, -1, :").toFloatArray();
        }
    }

    private static float[] fullForwardLastLogits(long[] ids) {
        try (NDManager scope = manager.newSubManager()) {
            Shape shape = new Shape(1, ids.length);
            NDArray input = scope.create(ids, shape);
            return model.logits(input, scope.ones(shape, input.getDataType())).get("0, -1, :").toFloatArray();
        }
    }

    private static int liveArrays() {
        return model.weightsManager().getManagedArrays().size();
    }
}
