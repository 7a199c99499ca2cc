package org.iterpref.trainer.serving;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;
import org.iterpref.trainer.model.DecodingSession;
import org.iterpref.trainer.model.Logits;
import org.iterpref.trainer.tokenizer.TextTokenizer;

/**
 * Token generation shared by {@code /v1/completions} and {@code /v1/chat/completions}: the prompt
 * is prefilled once into a KV-cached {@link DecodingSession}, then each step picks the next token —
 * greedily ({@code temperature 0}) or by seeded temperature / nucleus sampling — and feeds it back.
 * Generation ends at a stop token (counted, not part of the text), at a stop string (the text ends
 * before it), after {@code maxTokens}, or when the caller cancels. Text is released to a
 * {@link Listener} as it becomes final, which is what streaming sends.
 */
final class Generation {

    /**
     * What to generate.
     *
     * @param maxTokens most new tokens
     * @param temperature 0 for greedy
     * @param topP nucleus mass for sampling
     * @param stops stop strings
     * @param isStop stop token ids (EOS, end of turn)
     * @param logprobs whether to report each token's log-prob
     * @param topLogprobs how many alternatives to report per token (0: none)
     * @param penalties OpenAI's presence and frequency penalties on tokens already generated
     */
    record Spec(int maxTokens, double temperature, double topP, List<String> stops, LongPredicate isStop,
                boolean logprobs, int topLogprobs, Penalties penalties) {
    }

    /**
     * OpenAI's repetition penalties: each token's logit is lowered by {@code presence} once it has
     * appeared in the completion and by {@code frequency} per appearance, before choosing.
     * Reported log-probs stay the model's own.
     */
    record Penalties(double presence, double frequency) {

        boolean any() {
            return presence != 0 || frequency != 0;
        }

        float[] apply(float[] logits, Map<Long, Integer> counts) {
            if (!any() || counts.isEmpty()) {
                return logits;
            }
            float[] adjusted = logits.clone();
            counts.forEach((id, count) -> adjusted[id.intValue()] -= (float) (presence + frequency * count));
            return adjusted;
        }
    }

    /** Receives text as it becomes final, with the log-prob of the token that released it (or null). */
    interface Listener {
        void onText(String delta, TokenLogprob logprob);
    }

    /**
     * A finished generation.
     *
     * @param ids the completion's tokens (without a stop token)
     * @param text its text (ending before a stop string)
     * @param finishReason {@code stop} or {@code length}
     * @param completionTokens tokens generated, a stop token included
     * @param logprobs per kept token, when asked for
     */
    record Outcome(long[] ids, String text, String finishReason, int completionTokens, List<TokenLogprob> logprobs) {
    }

    /** Thrown into the generation loop when the caller cancels (its client went away). */
    static final class CancelledException extends RuntimeException {
        CancelledException() {
            super("generation cancelled", null, false, false);
        }
    }

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

    /** Generates one completion of {@code prompt}; {@code cancelled} is polled before every step. */
    static Outcome run(LoadedModel loaded, long[] prompt, Spec spec, Random random, BooleanSupplier cancelled,
            Listener listener) {
        TextTokenizer tokenizer = loaded.tokenizer();
        IncrementalText text = new IncrementalText(tokenizer, spec.stops());
        List<TokenLogprob> logprobs = new ArrayList<>();
        long[] kept = new long[Math.min(spec.maxTokens(), 1024)];
        int keptCount = 0;
        int generated = 0;
        boolean stopToken = false;
        if (spec.maxTokens() > 0) {
            try (DecodingSession session = loaded.model().newSession()) {
                if (cancelled.getAsBoolean()) {
                    throw new CancelledException();
                }
                float[] logits = session.feed(prompt);
                Map<Long, Integer> counts = new HashMap<>();
                while (generated < spec.maxTokens()) {
                    float[] scores = spec.penalties().apply(logits, counts);
                    long next = spec.temperature() == 0 ? Logits.argmax(scores)
                            : Sampling.sample(scores, spec.temperature(), spec.topP(), random);
                    if (spec.penalties().any()) {
                        counts.merge(next, 1, Integer::sum);
                    }
                    generated++;
                    if (spec.isStop().test(next)) {
                        stopToken = true;
                        break;
                    }
                    TokenLogprob logprob = spec.logprobs() ? logprob(tokenizer, logits, next, spec.topLogprobs()) : null;
                    if (logprob != null) {
                        logprobs.add(logprob);
                    }
                    if (keptCount == kept.length) {
                        kept = Arrays.copyOf(kept, Math.max(16, keptCount * 2));
                    }
                    kept[keptCount++] = next;
                    listener.onText(text.add(next), logprob);
                    if (text.stopped() || generated == spec.maxTokens()) {
                        break;
                    }
                    if (cancelled.getAsBoolean()) {
                        throw new CancelledException();
                    }
                    logits = session.feed(next);
                }
            }
        }
        String rest = text.finish();
        if (!rest.isEmpty()) {
            listener.onText(rest, null);
        }
        String finish = stopToken || text.stopped() ? "stop" : "length";
        return new Outcome(Arrays.copyOf(kept, keptCount), text.text(), finish, generated, List.copyOf(logprobs));
    }

    /** The chosen token's log-prob at this step, and the {@code top} most likely tokens. */
    static TokenLogprob logprob(TextTokenizer tokenizer, float[] logits, long chosen, int top) {
        double[] logProbs = Logits.logSoftmax(logits);
        List<TokenLogprob.Alternative> alternatives = new ArrayList<>();
        for (int id : Logits.topK(logProbs, top)) {
            alternatives.add(new TokenLogprob.Alternative(id, tokenText(tokenizer, id), logProbs[id]));
        }
        return new TokenLogprob(chosen, tokenText(tokenizer, chosen), logProbs[(int) chosen], List.copyOf(alternatives));
    }

    /** A token's text on its own, special tokens kept. */
    static String tokenText(TextTokenizer tokenizer, long id) {
        return tokenizer.decode(new long[] {id}, false);
    }
}
