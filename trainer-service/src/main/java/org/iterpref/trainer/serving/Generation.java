package org.iterpref.trainer.serving;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.LongPredicate;
import org.iterpref.trainer.model.Engines;

/**
 * Token generation shared by {@code /v1/completions} and {@code /v1/chat/completions}: greedy
 * ({@code temperature 0}, the model's KV-cached greedy decoder) or seeded temperature / nucleus
 * sampling, then cut at the first stop token or stop string.
 */
final class Generation {

    private Generation() {
    }

    /** Checks the prompt and completion fit the model's context (400s naming {@code promptParam} / max_tokens). */
    static void checkContext(LoadedModel loaded, int promptLength, int maxTokens, String promptParam) {
        if (promptLength > loaded.contextLength()) {
            throw OpenAiException.invalid(promptParam, "The prompt has " + promptLength
                    + " tokens; this model's maximum context length is " + loaded.contextLength() + " tokens.");
        }
        if ((long) promptLength + maxTokens > loaded.contextLength()) {
            throw OpenAiException.invalid("max_tokens", "This model's maximum context length is "
                    + loaded.contextLength() + " tokens, however you requested " + (promptLength + (long) maxTokens)
                    + " tokens (" + promptLength + " in your prompt; " + maxTokens + " for the completion).");
        }
    }

    /**
     * Up to {@code maxTokens} new ids after {@code prompt}; sampling ends early after a token
     * {@code isStop} accepts (greedy decoding always yields {@code maxTokens}; {@link #cut} trims).
     */
    static long[] generate(LoadedModel loaded, long[] prompt, int maxTokens, double temperature, double topP,
            Random random, LongPredicate isStop) {
        return temperature == 0
                ? loaded.model().generateGreedy(prompt, maxTokens)
                : sample(loaded, prompt, maxTokens, temperature, topP, random, isStop);
    }

    /** Sampling without a cache (a full forward pass per step), stopping early at a stop token. */
    private static long[] sample(LoadedModel loaded, long[] prompt, int maxTokens, double temperature, double topP,
            Random random, LongPredicate isStop) {
        long[] prefix = Arrays.copyOf(prompt, prompt.length + maxTokens);
        int length = prompt.length;
        try (NDManager manager = Engines.newCpuManager()) {
            for (int step = 0; step < maxTokens; step++) {
                float[] last;
                try (NDManager scope = manager.newSubManager()) {
                    Shape shape = new Shape(1, length);
                    NDArray ids = scope.create(Arrays.copyOf(prefix, length), shape);
                    NDArray logits = loaded.model().logits(ids, scope.ones(shape, ids.getDataType()));
                    last = logits.get("0, -1, :").toFloatArray();
                }
                long next = Sampling.sample(last, temperature, topP, random);
                prefix[length++] = next;
                if (isStop.test(next)) {
                    break;
                }
            }
        }
        return Arrays.copyOfRange(prefix, prompt.length, length);
    }

    /**
     * The completion as returned: up to the first stop token (not included in the text, counted as
     * generated) or up to the first stop string (the text ends before it).
     */
    record Cut(long[] ids, String text, boolean stopped, int counted) {
    }

    static Cut cut(LoadedModel loaded, long[] generated, List<String> stops, LongPredicate isStop) {
        int end = generated.length;
        boolean stopped = false;
        for (int i = 0; i < generated.length; i++) {
            if (isStop.test(generated[i])) {
                end = i;
                stopped = true;
                break;
            }
        }
        int counted = stopped ? end + 1 : end;
        if (!stops.isEmpty()) {
            for (int k = 1; k <= end; k++) {
                String text = loaded.tokenizer().decode(Arrays.copyOf(generated, k), true);
                int at = firstStop(text, stops);
                if (at >= 0) {
                    return new Cut(Arrays.copyOf(generated, k), text.substring(0, at), true, k);
                }
            }
        }
        long[] kept = Arrays.copyOf(generated, end);
        return new Cut(kept, loaded.tokenizer().decode(kept, true), stopped, counted);
    }

    private static int firstStop(String text, List<String> stops) {
        int best = -1;
        for (String stop : stops) {
            int at = text.indexOf(stop);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }
}
