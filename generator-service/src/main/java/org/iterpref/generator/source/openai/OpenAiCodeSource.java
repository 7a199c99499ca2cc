package org.iterpref.generator.source.openai;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import org.iterpref.common.pair.CodeFence;
import org.iterpref.generator.source.CodeSource;
import org.iterpref.generator.source.Generation;
import org.iterpref.generator.source.GenerationContext;
import org.iterpref.generator.source.openai.PromptFitter.FittedPrompt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CodeSource} backed by an OpenAI-compatible chat-completions server: renders the
 * first-attempt or refinement template, trimmed to the model's context (see {@link PromptFitter}),
 * sends it (after the system prompt, when set) with the context's seed, and takes the code from
 * the reply by the platform's one rule, {@link CodeFence#code}. A context-length error from the server is answered once more with a tighter trim, with
 * what the error said about the sizes learnt; a second one is final. Server-reported prompt sizes
 * keep the size estimate honest. Build one with {@link OpenAiCodeSourceFactory}.
 */
public class OpenAiCodeSource implements CodeSource {

    private static final Logger log = LoggerFactory.getLogger(OpenAiCodeSource.class);
    /** The share of the estimated room a prompt may fill after the server said one was too long. */
    static final double AFTER_OVERFLOW = 0.85;
    /** How much more tokens per byte to assume after an overflow that gave no count. */
    static final double WIDEN_WITHOUT_COUNT = 1.5;

    private final OpenAiSourceSettings settings;
    private final PromptFitter fitter;
    private final ChatCompletionsClient client;
    private final ModelContextLength contextLength;
    private final PromptSizeEstimator estimator;

    public OpenAiCodeSource(OpenAiSourceSettings settings, PromptFitter fitter, ChatCompletionsClient client,
            ModelContextLength contextLength, PromptSizeEstimator estimator) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.fitter = Objects.requireNonNull(fitter, "fitter");
        this.client = Objects.requireNonNull(client, "client");
        this.contextLength = Objects.requireNonNull(contextLength, "contextLength");
        this.estimator = Objects.requireNonNull(estimator, "estimator");
    }

    /**
     * {@inheritDoc}
     *
     * @throws ModelRequestException when the server rejects the request (unknown model, bad key, a
     *                               prompt still too long after a tighter trim): retrying the job
     *                               will not help
     */
    @Override
    public Generation generate(GenerationContext context) {
        FittedPrompt prompt = fit(context, 1.0);
        List<ChatMessage> messages = fitter.messages(prompt.text());
        ChatCompletion completion;
        try {
            completion = client.complete(messages, context.seed());
        } catch (ContextLengthExceededException e) {
            FittedPrompt tighter = tighter(context, messages, e);
            log.warn("Model {} found the prompt of trajectory {} iteration {} too long ({}); trimmed further",
                    settings.model(), context.trajectoryId(), context.iteration(), e.getMessage());
            prompt = new FittedPrompt(tighter.text(), true);
            messages = fitter.messages(prompt.text());
            completion = client.complete(messages, context.seed());
        }
        if (completion.promptTokens() != null) {
            estimator.observe(messages, completion.promptTokens());
        }
        String code = CodeFence.code(completion.content());
        if (code.isEmpty()) {
            log.warn("Model {} gave no code for task {} (trajectory {}, iteration {}, finish_reason={})",
                    settings.model(), context.task().externalId(), context.trajectoryId(),
                    context.iteration(), completion.finishReason());
        }
        // the model as the server reported it (a served alias resolves to what answered), else the one asked for
        String model = completion.model() != null ? completion.model() : settings.model();
        return new Generation(prompt.text(), completion.content(), code, model,
                completion.promptTokens(), completion.completionTokens(), prompt.trimmed());
    }

    /** The prompt for {@code share} of the room the context leaves; untrimmed when the context is unknown. */
    private FittedPrompt fit(GenerationContext context, double share) {
        OptionalInt tokens = contextLength.tokens();
        if (tokens.isEmpty()) {
            return fitter.whole(context);
        }
        int room = (int) Math.floor((tokens.getAsInt() - settings.maxTokens()) * share);
        return fitter.fit(context, room);
    }

    /** What the overflow taught, applied: the prompt once more, trimmed tighter; the error again when it cannot be. */
    private FittedPrompt tighter(GenerationContext context, List<ChatMessage> sent, ContextLengthExceededException e) {
        ContextOverflow overflow = e.overflow();
        if (overflow.contextLength() != null) {
            contextLength.learn(overflow.contextLength());
        }
        if (overflow.promptTokens() != null) {
            estimator.observe(sent, overflow.promptTokens());
        } else {
            estimator.widen(WIDEN_WITHOUT_COUNT);
        }
        if (contextLength.tokens().isEmpty()) {
            throw e;
        }
        return fit(context, AFTER_OVERFLOW);
    }

    @Override
    public boolean synthetic() {
        return false;
    }

    @Override
    public String model() {
        return settings.model();
    }

    public OpenAiSourceSettings settings() {
        return settings;
    }
}
