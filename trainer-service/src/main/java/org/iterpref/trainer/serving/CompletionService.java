package org.iterpref.trainer.serving;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;
import java.util.function.LongPredicate;
import org.iterpref.trainer.model.PromptLogProbs;
import org.springframework.stereotype.Service;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * OpenAI legacy completions on a {@link LoadedModel}, whole or streamed: {@link Generation} per
 * choice (KV-cached, greedy or seeded sampling, cut at EOS or a stop string); log-probs of the
 * model at temperature 1, with the top alternatives; {@code echo} prepends the prompt (and its
 * log-probs from one forward pass over it).
 */
@Service
public class CompletionService {

    static final String OBJECT = "text_completion";
    private final RequestRunner runner;
    private final GenerationMetrics metrics;

    public CompletionService(RequestRunner runner, GenerationMetrics metrics) {
        this.runner = runner;
        this.metrics = metrics;
    }

    /** The response body for a validated request ({@code stream} false). */
    Map<String, Object> complete(CompletionRequest request, BooleanSupplier cancelled) {
        return runner.whole(request.model(), loaded -> new Call(loaded, request), call -> {
            List<Map<String, Object>> choices = new ArrayList<>();
            int completionTokens = 0;
            for (int index = 0; index < request.n(); index++) {
                call.startChoice();
                Generation.Outcome outcome = metrics.time(call.loaded.name(),
                        () -> call.generate(cancelled, (delta, logprob) -> { }));
                completionTokens += outcome.completionTokens();
                choices.add(choice(index, request.echo() ? call.promptText + outcome.text() : outcome.text(),
                        request.logprobs() == null ? null : call.logprobs(outcome.logprobs(), true),
                        outcome.finishReason()));
            }
            return call.header.response(OBJECT, choices, call.prompt.length, completionTokens);
        });
    }

    /** A Server-Sent Events body for a validated {@code stream: true} request (see {@link RequestRunner}). */
    StreamingResponseBody stream(CompletionRequest request) {
        return runner.stream(request.model(), loaded -> new Call(loaded, request), (call, sse) -> {
            int completionTokens = 0;
            for (int index = 0; index < request.n(); index++) {
                int choiceIndex = index;
                call.startChoice();
                if (request.echo()) {
                    sse.send(call.header.chunk(OBJECT, choice(choiceIndex, call.promptText,
                            request.logprobs() == null ? null : call.promptLogprobs(), null)));
                }
                Generation.Outcome outcome = metrics.time(call.loaded.name(), () -> call.generate(() -> false,
                        (delta, logprob) -> {
                            if (!delta.isEmpty() || logprob != null) {
                                sse.send(call.header.chunk(OBJECT, choice(choiceIndex, delta, logprob == null
                                        ? null : call.logprobs(List.of(logprob), false), null)));
                            }
                        }));
                completionTokens += outcome.completionTokens();
                sse.send(call.header.chunk(OBJECT, choice(choiceIndex, "", null, outcome.finishReason())));
            }
            if (request.includeUsage()) {
                sse.send(call.header.usageChunk(OBJECT, call.prompt.length, completionTokens));
            }
        });
    }

    private static Map<String, Object> choice(int index, String text, Map<String, Object> logprobs,
                                              String finishReason) {
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", index);
        choice.put("text", text);
        choice.put("logprobs", logprobs);
        choice.put("finish_reason", finishReason);
        return choice;
    }

    private static long[] promptIds(LoadedModel loaded, CompletionRequest request) {
        long[] ids = request.promptIds() != null ? request.promptIds()
                : loaded.tokenizer().encode(request.promptText()).ids();
        if (ids.length == 0) {
            throw OpenAiException.invalid("prompt", "The prompt must not be empty.");
        }
        int vocab = loaded.model().config().vocabSize();
        for (long id : ids) {
            if (id < 0 || id >= vocab) {
                throw OpenAiException.invalid("prompt", "Token id " + id + " is outside the vocabulary [0, " + vocab + ").");
            }
        }
        Generation.checkContext(loaded, ids.length, request.maxTokens(), "prompt");
        return ids;
    }

    /** One request's state: the model, prompt, random source and response header. */
    private static final class Call {

        final LoadedModel loaded;
        final CompletionRequest request;
        final long[] prompt;
        final String promptText;
        final Random random;
        final LongPredicate isEos;
        final ResponseHeader header;
        private int textOffset;
        private List<TokenLogprob> promptTokens;

        Call(LoadedModel loaded, CompletionRequest request) {
            this.loaded = loaded;
            this.request = request;
            this.prompt = promptIds(loaded, request);
            this.header = ResponseHeader.of("cmpl-", loaded.name());
            this.promptText = request.promptText() != null ? request.promptText()
                    : loaded.tokenizer().decode(prompt, false);
            this.random = request.seed() == null ? new Random() : new Random(request.seed());
            this.isEos = loaded.tokenizer().specialTokens()::isEos;
        }

        /** Starts a choice: log-prob text offsets count from the start of the prompt or of the completion. */
        void startChoice() {
            textOffset = request.echo() ? 0 : promptText.codePointCount(0, promptText.length());
        }

        Generation.Outcome generate(BooleanSupplier cancelled, Generation.Listener listener) {
            Generation.Spec spec = new Generation.Spec(request.maxTokens(), request.temperature(), request.topP(),
                    request.stop(), isEos, request.logprobs() != null,
                    request.logprobs() == null ? 0 : request.logprobs(),
                    new Generation.Penalties(request.presencePenalty(), request.frequencyPenalty()));
            return Generation.run(loaded, prompt, spec, random, cancelled, listener);
        }

        /** The prompt's tokens as a legacy logprobs object (the first token has no log-prob); sets offsets. */
        Map<String, Object> promptLogprobs() {
            return legacy(promptTokens(), i -> i == 0);
        }

        /**
         * OpenAI's legacy logprobs object for these completion tokens, the prompt's first when
         * {@code withEcho} and echo is on. Offsets continue from the previous call's.
         */
        Map<String, Object> logprobs(List<TokenLogprob> completion, boolean withEcho) {
            if (withEcho && request.echo()) {
                List<TokenLogprob> all = new ArrayList<>(promptTokens());
                all.addAll(completion);
                return legacy(all, i -> i == 0);
            }
            return legacy(completion, i -> false);
        }

        /** The prompt's tokens with their log-probs, from one forward pass shared by every choice. */
        private List<TokenLogprob> promptTokens() {
            if (promptTokens != null) {
                return promptTokens;
            }
            PromptLogProbs scores = loaded.model().promptLogProbs(prompt, request.logprobs());
            List<TokenLogprob> tokens = new ArrayList<>();
            for (int i = 0; i < prompt.length; i++) {
                List<TokenLogprob.Alternative> alternatives = new ArrayList<>();
                if (i > 0) {
                    for (int k = 0; k < scores.topIds()[i - 1].length; k++) {
                        long alt = scores.topIds()[i - 1][k];
                        alternatives.add(new TokenLogprob.Alternative(alt,
                                Generation.tokenText(loaded.tokenizer(), alt), scores.topLogProbs()[i - 1][k]));
                    }
                }
                tokens.add(new TokenLogprob(prompt[i], Generation.tokenText(loaded.tokenizer(), prompt[i]),
                        i == 0 ? null : (double) scores.chosen()[i - 1], alternatives));
            }
            promptTokens = List.copyOf(tokens);
            return promptTokens;
        }

        private Map<String, Object> legacy(List<TokenLogprob> tokens, IntPredicate noTop) {
            List<String> texts = new ArrayList<>();
            List<Double> logprobs = new ArrayList<>();
            List<Map<String, Double>> tops = new ArrayList<>();
            List<Integer> offsets = new ArrayList<>();
            for (int i = 0; i < tokens.size(); i++) {
                TokenLogprob token = tokens.get(i);
                texts.add(token.token());
                logprobs.add(token.logprob());
                Map<String, Double> top = new LinkedHashMap<>();
                token.top().forEach(alt -> top.putIfAbsent(alt.token(), alt.logprob()));
                tops.add(noTop.test(i) ? null : top);
                offsets.add(textOffset);
                textOffset += token.token().codePointCount(0, token.token().length());
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("tokens", texts);
            body.put("token_logprobs", logprobs);
            body.put("top_logprobs", request.logprobs() > 0 ? tops : null);
            body.put("text_offset", offsets);
            return body;
        }
    }
}
