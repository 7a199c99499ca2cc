package org.iterpref.trainer.serving;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.LongPredicate;
import org.iterpref.trainer.model.Engines;
import org.springframework.stereotype.Service;

/**
 * OpenAI legacy completions on a {@link LoadedModel}: greedy ({@code temperature 0}, the model's
 * KV-cached greedy decoder) or seeded temperature / nucleus sampling, cut at the first EOS or stop
 * string; log-probs (of the model, temperature 1) from {@code DecoderModel.tokenLogProbs}.
 */
@Service
public class CompletionService {

    private final ModelRegistry registry;
    private final ConcurrencyLimiter limiter;

    public CompletionService(ModelRegistry registry, ConcurrencyLimiter limiter) {
        this.registry = registry;
        this.limiter = limiter;
    }

    /** The response body for a validated request. */
    Map<String, Object> complete(CompletionRequest request) {
        LoadedModel loaded = registry.require(request.model());
        long[] prompt = promptIds(loaded, request);
        limiter.acquire();
        try {
            return run(loaded, request, prompt);
        } finally {
            limiter.release();
        }
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

    private Map<String, Object> run(LoadedModel loaded, CompletionRequest request, long[] prompt) {
        Random random = request.seed() == null ? new Random() : new Random(request.seed());
        List<Map<String, Object>> choices = new ArrayList<>();
        int completionTokens = 0;
        String promptText = request.promptText() != null ? request.promptText()
                : loaded.tokenizer().decode(prompt, false);
        for (int index = 0; index < request.n(); index++) {
            LongPredicate isEos = loaded.tokenizer().specialTokens()::isEos;
            long[] generated = Generation.generate(loaded, prompt, request.maxTokens(), request.temperature(),
                    request.topP(), random, isEos);
            Generation.Cut cut = Generation.cut(loaded, generated, request.stop(), isEos);
            completionTokens += cut.counted();
            Map<String, Object> choice = new LinkedHashMap<>();
            choice.put("index", index);
            choice.put("text", request.echo() ? promptText + cut.text() : cut.text());
            choice.put("finish_reason", cut.stopped() ? "stop" : "length");
            choice.put("logprobs", request.logprobs() == null ? null
                    : logprobs(loaded, prompt, cut.ids(), request.echo(), promptText));
            choices.add(choice);
        }
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("prompt_tokens", prompt.length);
        usage.put("completion_tokens", completionTokens);
        usage.put("total_tokens", prompt.length + completionTokens);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", "cmpl-" + UUID.randomUUID().toString().replace("-", ""));
        body.put("object", "text_completion");
        body.put("created", System.currentTimeMillis() / 1000);
        body.put("model", loaded.name());
        body.put("choices", choices);
        body.put("usage", usage);
        return body;
    }

    /** OpenAI's legacy logprobs object; with echo the prompt's tokens come first, the very first with null. */
    private static Map<String, Object> logprobs(LoadedModel loaded, long[] prompt, long[] completion, boolean echo,
            String promptText) {
        long[] all = new long[prompt.length + completion.length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(completion, 0, all, prompt.length, completion.length);
        float[] logProbs = all.length < 2 ? new float[0] : tokenLogProbs(loaded, all);
        int from = echo ? 0 : prompt.length;
        List<String> tokens = new ArrayList<>();
        List<Float> tokenLogprobs = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        int offset = echo ? 0 : promptText.codePointCount(0, promptText.length());
        for (int i = from; i < all.length; i++) {
            String token = loaded.tokenizer().decode(new long[] {all[i]}, false);
            tokens.add(token);
            tokenLogprobs.add(i == 0 ? null : logProbs[i - 1]);
            offsets.add(offset);
            offset += token.codePointCount(0, token.length());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tokens", tokens);
        body.put("token_logprobs", tokenLogprobs);
        body.put("top_logprobs", null);
        body.put("text_offset", offsets);
        return body;
    }

    static float[] tokenLogProbs(LoadedModel loaded, long[] ids) {
        try (NDManager manager = Engines.newCpuManager()) {
            Shape shape = new Shape(1, ids.length);
            NDArray input = manager.create(ids, shape);
            return loaded.model().tokenLogProbs(input, manager.ones(shape, input.getDataType())).get(0).toFloatArray();
        }
    }
}
