package org.iterpref.trainer.serving;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;
import org.springframework.stereotype.Service;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import tools.jackson.databind.json.JsonMapper;

/**
 * OpenAI chat completions on a {@link LoadedModel}, whole or streamed: the messages rendered as
 * the model's chat prompt, then {@link Generation} per choice, stopping at the end-of-turn token,
 * any EOS id, {@code max_tokens} or a stop string. Runs under the shared {@link ConcurrencyLimiter}.
 */
@Service
public class ChatCompletionService {

    private final ModelRegistry registry;
    private final ConcurrencyLimiter limiter;
    private final JsonMapper json;
    private final GenerationMetrics metrics;

    public ChatCompletionService(ModelRegistry registry, ConcurrencyLimiter limiter, JsonMapper json,
                                 GenerationMetrics metrics) {
        this.registry = registry;
        this.limiter = limiter;
        this.json = json;
        this.metrics = metrics;
    }

    /** The response body for a validated request ({@code stream} false). */
    Map<String, Object> complete(ChatCompletionRequest request, BooleanSupplier cancelled) {
        try (ModelRegistry.Lease lease = registry.lease(request.model())) {
            Call call = prepare(lease.model(), request);
            try (ConcurrencyLimiter.Permit permit = limiter.acquire()) {
                List<Map<String, Object>> choices = new ArrayList<>();
                int completionTokens = 0;
                for (int index = 0; index < request.n(); index++) {
                    Generation.Outcome outcome = metrics.time(call.loaded.name(),
                            () -> call.generate(cancelled, (delta, logprob) -> { }));
                    completionTokens += outcome.completionTokens();
                    Map<String, Object> message = new LinkedHashMap<>();
                    message.put("role", "assistant");
                    message.put("content", outcome.text());
                    Map<String, Object> choice = new LinkedHashMap<>();
                    choice.put("index", index);
                    choice.put("message", message);
                    choice.put("logprobs", request.logprobs() ? logprobs(outcome.logprobs()) : null);
                    choice.put("finish_reason", outcome.finishReason());
                    choices.add(choice);
                }
                Map<String, Object> body = call.envelope("chat.completion");
                body.put("choices", choices);
                body.put("usage", CompletionService.usage(call.prompt.length, completionTokens));
                return body;
            }
        }
    }

    /**
     * A Server-Sent Events body ({@code chat.completion.chunk}s) for a validated {@code stream: true}
     * request; validation and the wait for a slot happen now, so their errors are ordinary responses.
     */
    StreamingResponseBody stream(ChatCompletionRequest request) {
        ModelRegistry.Lease lease = registry.lease(request.model());
        ConcurrencyLimiter.Permit permit;
        Call call;
        try {
            call = prepare(lease.model(), request);
            permit = limiter.acquire();
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
        return out -> {
            try (lease; permit) {
                SseWriter sse = new SseWriter(out, json);
                int completionTokens = 0;
                for (int index = 0; index < request.n(); index++) {
                    int choiceIndex = index;
                    Map<String, Object> opening = new LinkedHashMap<>();
                    opening.put("role", "assistant");
                    opening.put("content", "");
                    sse.send(call.chunk(choiceIndex, opening, null, null));
                    Generation.Outcome outcome = metrics.time(call.loaded.name(), () -> call.generate(() -> false,
                            (delta, logprob) -> {
                                if (!delta.isEmpty() || logprob != null) {
                                    sse.send(call.chunk(choiceIndex, Map.of("content", delta),
                                            logprob == null ? null : logprobs(List.of(logprob)), null));
                                }
                            }));
                    completionTokens += outcome.completionTokens();
                    sse.send(call.chunk(choiceIndex, Map.of(), null, outcome.finishReason()));
                }
                if (request.includeUsage()) {
                    Map<String, Object> last = call.envelope("chat.completion.chunk");
                    last.put("choices", List.of());
                    last.put("usage", CompletionService.usage(call.prompt.length, completionTokens));
                    sse.send(last);
                }
                sse.done();
            } catch (RuntimeException e) {
                metrics.streamFailed(call.loaded.name(), e, out, json);
            }
        };
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

    /** One request's state: the model, prompt, stop ids, random source and response id. */
    private static final class Call {

        final LoadedModel loaded;
        final ChatCompletionRequest request;
        final long[] prompt;
        final LongPredicate isStop;
        final Random random;
        final String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        final long created = System.currentTimeMillis() / 1000;

        Call(LoadedModel loaded, ChatCompletionRequest request, long[] prompt, LongPredicate isStop) {
            this.loaded = loaded;
            this.request = request;
            this.prompt = prompt;
            this.isStop = isStop;
            this.random = request.seed() == null ? new Random() : new Random(request.seed());
        }

        Generation.Outcome generate(BooleanSupplier cancelled, Generation.Listener listener) {
            Generation.Spec spec = new Generation.Spec(request.maxTokens(), request.temperature(), request.topP(),
                    request.stop(), isStop, request.logprobs(), request.topLogprobs(),
                    new Generation.Penalties(request.presencePenalty(), request.frequencyPenalty()));
            return Generation.run(loaded, prompt, spec, random, cancelled, listener);
        }

        Map<String, Object> envelope(String object) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", id);
            body.put("object", object);
            body.put("created", created);
            body.put("model", loaded.name());
            return body;
        }

        Map<String, Object> chunk(int index, Map<String, Object> delta, Map<String, Object> logprobs,
                                  String finishReason) {
            Map<String, Object> choice = new LinkedHashMap<>();
            choice.put("index", index);
            choice.put("delta", delta);
            choice.put("logprobs", logprobs);
            choice.put("finish_reason", finishReason);
            Map<String, Object> body = envelope("chat.completion.chunk");
            body.put("choices", List.of(choice));
            return body;
        }
    }
}
