package org.iterpref.trainer.model;

import org.iterpref.trainer.Fixtures;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Greedy generation with the KV cache: exact parity with every model fixture's
 * {@code expected_greedy.json} (12 new tokens, no EOS stop), and agreement with recomputing the
 * full prefix each step without the cache (same ids, last-step logits within 1e-4).
 */
class GreedyGenerationTest {

    static final double CACHE_LOGITS_TOLERANCE = 1e-4;

    private static NDManager manager;

    @BeforeAll
    static void startEngine() {
        manager = Engines.newCpuManager();
    }

    @AfterAll
    static void closeManager() {
        manager.close();
    }

    /** Every model fixture directory with an {@code expected_greedy.json}. */
    static Stream<String> greedyModels() throws IOException {
        try (Stream<Path> dirs = Files.list(Fixtures.root().resolve("models"))) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("expected_greedy.json")))
                    .map(d -> d.getFileName().toString()).sorted().toList().stream();
        }
    }

    @Test
    void theQwen2AndLlamaFixturesHaveGreedyExpectations() throws IOException {
        assertThat(greedyModels().toList()).contains("tiny-qwen2", "tiny-llama");
    }

    @ParameterizedTest
    @MethodSource("greedyModels")
    void cachedGreedyMatchesTheExpectedIds(String modelName) throws IOException {
        JsonNode expected = new ObjectMapper().readTree(Fixtures.model(modelName).resolve("expected_greedy.json").toFile());
        long[] prompt = longs(expected.path("prompt_ids"));
        long[] want = longs(expected.path("greedy_new_ids"));
        try (DecoderModel model = DecoderModel.load(Fixtures.model(modelName), manager)) {
            long[] got = model.generateGreedy(prompt, want.length);
            System.out.printf("%s greedy (min top-2 gap %s): %s%n", modelName,
                    expected.path("min_top2_logit_gap").asString(), java.util.Arrays.toString(got));
            assertThat(got).as("%s greedy new ids", modelName).containsExactly(want);
        }
    }

    @ParameterizedTest
    @MethodSource("greedyModels")
    void cacheGivesTheSameIdsAndLastLogitsAsRecomputing(String modelName) throws IOException {
        JsonNode expected = new ObjectMapper().readTree(Fixtures.model(modelName).resolve("expected_greedy.json").toFile());
        long[] prompt = longs(expected.path("prompt_ids"));
        try (DecoderModel model = DecoderModel.load(Fixtures.model(modelName), manager)) {
            GreedyDecoder.Trace cached = GreedyDecoder.cached(model.block(), model.weightsManager(), prompt, 12);
            GreedyDecoder.Trace full = GreedyDecoder.uncached(model, prompt, 12);
            assertThat(cached.newIds()).containsExactly(full.newIds());
            double maxAbs = 0;
            for (int v = 0; v < full.lastLogits().length; v++) {
                maxAbs = Math.max(maxAbs, Math.abs(cached.lastLogits()[v] - full.lastLogits()[v]));
            }
            System.out.printf("%s last-step logits, cached vs recomputed: max abs %.3e%n", modelName, maxAbs);
            assertThat(cached.lastLogits()).hasSize(model.config().vocabSize());
            assertThat(maxAbs).isLessThanOrEqualTo(CACHE_LOGITS_TOLERANCE);
        }
    }

    @Test
    void zeroNewTokensAndEmptyPromptEdgeCases() {
        try (DecoderModel model = DecoderModel.load(Fixtures.model("tiny-qwen2"), manager)) {
            assertThat(model.generateGreedy(new long[] {2046, 401}, 0)).isEmpty();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> model.generateGreedy(new long[0], 3))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void stepsFreeTheirIntermediates() {
        try (NDManager parent = manager.newSubManager();
             DecoderModel model = DecoderModel.load(Fixtures.model("tiny-qwen2"), parent)) {
            int before = model.weightsManager().getManagedArrays().size();
            model.generateGreedy(new long[] {2046, 401, 114}, 5);
            assertThat(model.weightsManager().getManagedArrays().size()).isEqualTo(before);
        }
    }

    static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }
}
