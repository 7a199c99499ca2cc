package org.iterpref.trainer.serving;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;
import org.springframework.stereotype.Service;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * OpenAI chat completions on a {@link LoadedModel}, whole or streamed: the messages rendered as
 * the model's chat prompt, then {@link Generation} per choice, stopping at the end-of-turn token,
 * any EOS id, {@code max_tokens} or a stop string. Runs under the shared {@link ConcurrencyLimiter}.
 */
@Service
public class ChatCompletionService {

    static final String OBJECT = "chat.completion";
    static final String CHUNK = "chat.completion.chunk";
    private final RequestRunner runner;
    private final GenerationMetrics metrics;

    public ChatCompletionService(RequestRunner runner, GenerationMetrics metrics) {
        this.runner = runner;
        this.metrics = metrics;
    }

    /** The response body for a validated request ({@code stream} false). */
    Map<String, Object> complete(ChatCompletionRequest request, BooleanSupplier cancelled) {
        return runner.whole(request.model(), loaded -> prepare(loaded, request), call -> {
            List<Map<String, Object>> choices = new ArrayList<>();
            int completionTokens = 0;
            for (int index = 0; index < request.n(); index++) {
                Generation.Outcome outcome = metrics.time(call.loaded.name(),
                        () -> call.generate(cancelled, (delta, logprob) -> { }));
                completionTokens += outcome.completionTokens();
                Map<String, Object> message = new LinkedHashMap<>();
                message.put("role", "assistant");
                message.put("content", outcome.text());
                choices.add(choice(index, "message", message,
                        request.logprobs() ? logprobs(outcome.logprobs()) : null, outcome.finishReason()));
            }
            return call.header.response(OBJECT, choices, call.prompt.length, completionTokens);
        });
    }

    /** A Server-Sent Events body of {@code chat.completion.chunk}s (see {@link RequestRunner}). */
    StreamingResponseBody stream(ChatCompletionRequest request) {
        return runner.stream(request.model(), loaded -> prepare(loaded, request), (call, sse) -> {
            int completionTokens = 0;
            for (int index = 0; index < request.n(); index++) {
                int choiceIndex = index;
                Map<String, Object> opening = new LinkedHashMap<>();
                opening.put("role", "assistant");
                opening.put("content", "");
                sse.send(call.header.chunk(CHUNK, choice(choiceIndex, "delta", opening, null, null)));
                Generation.Outcome outcome = metrics.time(call.loaded.name(), () -> call.generate(() -> false,
                        (delta, logprob) -> {
                            if (!delta.isEmpty() || logprob != null) {
                                sse.send(call.header.chunk(CHUNK, choice(choiceIndex, "delta",
                                        Map.of("content", delta), logprob == null ? null : logprobs(List.of(logprob)),
                                        null)));
                            }
                        }));
                completionTokens += outcome.completionTokens();
                sse.send(call.header.chunk(CHUNK, choice(choiceIndex, "delta", Map.of(), null,
                        outcome.finishReason())));
            }
            if (request.includeUsage()) {
                sse.send(call.header.usageChunk(CHUNK, call.prompt.length, completionTokens));
            }
        });
    }

    /** A choice with its {@code message} (whole) or {@code delta} (chunk). */
    private static Map<String, Object> choice(int index, String field, Map<String, Object> content,
                                              Map<String, Object> logprobs, String finishReason) {
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", index);
        choice.put(field, content);
        choice.put("logprobs", logprobs);
        choice.put("finish_reason", finishReason);
        return choice;
    }

    private static Call prepare(LoadedModel loaded, ChatCompletionRequest request) {
        ChatPrompt.Rendered chat = ChatPrompt.render(loaded, request.messages());
        long[] prompt = loaded.tokenizer().encode(chat.text()).ids();
        Generation.checkContext(loaded, prompt.length, request.maxTokens(), "messages");
        return new Call(loaded, request, prompt, chat.isStop());
    }

    /** Chat log-probs: {@code {"content": [{token, logprob, bytes, top_logprobs: [...]}]}}. */
    private static Map<String, Object> logprobs(List<TokenLogprob> tokens) {
        List<Map<String, Object>> content = new ArrayList<>();
        for (TokenLogprob token : tokens) {
            List<Map<String, Object>> top = new ArrayList<>();
            for (TokenLogprob.Alternative alternative : token.top()) {
                top.add(entry(alternative.token(), alternative.logprob()));
            }
            Map<String, Object> item = entry(token.token(), token.logprob());
            item.put("top_logprobs", top);
            content.add(item);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("content", content);
        return body;
    }

    private static Map<String, Object> entry(String token, Double logprob) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("token", token);
        item.put("logprob", logprob);
        byte[] utf8 = token.getBytes(StandardCharsets.UTF_8);
        List<Integer> bytes = new ArrayList<>(utf8.length);
        for (byte b : utf8) {
            bytes.add(b & 0xff);
        }
        item.put("bytes", bytes);
        return item;
    }

    /** One request's state: the model, prompt, stop ids, random source and response header. */
    private static final class Call {

        final LoadedModel loaded;
        final ChatCompletionRequest request;
        final long[] prompt;
        final LongPredicate isStop;
        final Random random;
        final ResponseHeader header;

        Call(LoadedModel loaded, ChatCompletionRequest request, long[] prompt, LongPredicate isStop) {
            this.loaded = loaded;
            this.request = request;
            this.prompt = prompt;
            this.isStop = isStop;
            this.random = request.seed() == null ? new Random() : new Random(request.seed());
            this.header = ResponseHeader.of("chatcmpl-", loaded.name());
        }

        Generation.Outcome generate(BooleanSupplier cancelled, Generation.Listener listener) {
            Generation.Spec spec = new Generation.Spec(request.maxTokens(), request.temperature(), request.topP(),
                    request.stop(), isStop, request.logprobs(), request.topLogprobs(),
                    new Generation.Penalties(request.presencePenalty(), request.frequencyPenalty()));
            return Generation.run(loaded, prompt, spec, random, cancelled, listener);
        }
    }
}
