package org.iterpref.generator.source.openai;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.iterpref.generator.source.CodeSource;
import org.iterpref.generator.source.Generation;
import org.iterpref.generator.source.GenerationContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CodeSource} backed by an OpenAI-compatible chat-completions server: renders the
 * first-attempt or refinement template, sends it (after the system prompt, when set) with the
 * context's seed, and extracts the code from the reply. Stateless between calls. Build one with
 * {@link OpenAiCodeSourceFactory}.
 */
public class OpenAiCodeSource implements CodeSource {

    private static final Logger log = LoggerFactory.getLogger(OpenAiCodeSource.class);

    private final OpenAiSourceSettings settings;
    private final PromptTemplates templates;
    private final ChatCompletionsClient client;
    private final CodeExtractor extractor;

    public OpenAiCodeSource(OpenAiSourceSettings settings, PromptTemplates templates,
            ChatCompletionsClient client, CodeExtractor extractor) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.templates = Objects.requireNonNull(templates, "templates");
        this.client = Objects.requireNonNull(client, "client");
        this.extractor = Objects.requireNonNull(extractor, "extractor");
    }

    /**
     * {@inheritDoc}
     *
     * @throws ModelRequestException when the server rejects the request (unknown model, bad key):
     *                               retrying the job will not help
     */
    @Override
    public Generation generate(GenerationContext context) {
        String prompt = templates.render(context);
        List<ChatMessage> messages = new ArrayList<>(2);
        if (settings.systemPrompt() != null) {
            messages.add(ChatMessage.system(settings.systemPrompt()));
        }
        messages.add(ChatMessage.user(prompt));
        ChatCompletion completion = client.complete(messages, context.seed());
        String code = extractor.extract(completion.content());
        if (code.isEmpty()) {
            log.warn("Model {} gave no code for task {} (trajectory {}, iteration {}, finish_reason={})",
                    settings.model(), context.task().externalId(), context.trajectoryId(),
                    context.iteration(), completion.finishReason());
        }
        return new Generation(prompt, completion.content(), code, settings.model(),
                completion.promptTokens(), completion.completionTokens());
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
