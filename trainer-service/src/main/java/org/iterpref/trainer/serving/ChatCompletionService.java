package org.iterpref.trainer.serving;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.LongPredicate;
import org.springframework.stereotype.Service;

/**
 * OpenAI chat completions on a {@link LoadedModel}: the messages rendered as ChatML, then the
 * shared {@link Generation} (greedy or seeded sampling), stopping at {@code <|im_end|>}, any EOS
 * id, {@code max_tokens} or a stop string. Runs under the same {@link ConcurrencyLimiter}.
 */
@Service
public class ChatCompletionService {

    private final ModelRegistry registry;
    private final ConcurrencyLimiter limiter;

    public ChatCompletionService(ModelRegistry registry, ConcurrencyLimiter limiter) {
        this.registry = registry;
        this.limiter = limiter;
    }

    /** The response body for a validated request. */
    Map<String, Object> complete(ChatCompletionRequest request) {
        LoadedModel loaded = registry.require(request.model());
        ChatPrompt.Rendered chat = ChatPrompt.render(loaded, request.messages());
        long[] prompt = loaded.tokenizer().encode(chat.text()).ids();
        Generation.checkContext(loaded, prompt.length, request.maxTokens(), "messages");
        LongPredicate isStop = chat.isStop();
        limiter.acquire();
        try {
            return run(loaded, request, prompt, isStop);
        } finally {
            limiter.release();
        }
    }

    private static Map<String, Object> run(LoadedModel loaded, ChatCompletionRequest request, long[] prompt,
            LongPredicate isStop) {
        Random random = request.seed() == null ? new Random() : new Random(request.seed());
        List<Map<String, Object>> choices = new ArrayList<>();
        int completionTokens = 0;
        for (int index = 0; index < request.n(); index++) {
            long[] generated = Generation.generate(loaded, prompt, request.maxTokens(), request.temperature(),
                    request.topP(), random, isStop);
            Generation.Cut cut = Generation.cut(loaded, generated, request.stop(), isStop);
            completionTokens += cut.counted();
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("role", "assistant");
            message.put("content", cut.text());
            Map<String, Object> choice = new LinkedHashMap<>();
            choice.put("index", index);
            choice.put("message", message);
            choice.put("finish_reason", cut.stopped() ? "stop" : "length");
            choices.add(choice);
        }
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("prompt_tokens", prompt.length);
        usage.put("completion_tokens", completionTokens);
        usage.put("total_tokens", prompt.length + completionTokens);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", "chatcmpl-" + UUID.randomUUID().toString().replace("-", ""));
        body.put("object", "chat.completion");
        body.put("created", System.currentTimeMillis() / 1000);
        body.put("model", loaded.name());
        body.put("choices", choices);
        body.put("usage", usage);
        return body;
    }
}
