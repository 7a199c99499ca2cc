package org.iterpref.generator.source.openai;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;
import org.iterpref.generator.source.GenerationContext;

/**
 * Makes an iteration's messages fit the tokens the model has for its prompt (its context less
 * {@code max_tokens}), as the {@link PromptSizeEstimator} counts them. When the whole refinement
 * does not fit, the executor's feedback is shortened first (its head and tail kept: the first
 * failing test and the end of its traceback), down to nothing; then the previous attempt's code,
 * the same way. A cut is marked in the text, so the model sees that something is missing. The
 * task's own prompt is never cut: when it alone is too long the prompt is sent with both cut out
 * and the server has the last word.
 */
public class PromptFitter {

    static final String OMITTED = "[left out: too long for the model's context]";

    private final PromptTemplates templates;
    private final String systemPrompt;
    private final PromptSizeEstimator estimator;

    public PromptFitter(PromptTemplates templates, String systemPrompt, PromptSizeEstimator estimator) {
        this.templates = Objects.requireNonNull(templates, "templates");
        this.systemPrompt = systemPrompt;
        this.estimator = Objects.requireNonNull(estimator, "estimator");
    }

    /** The user message and whether it was cut. */
    public record FittedPrompt(String text, boolean trimmed) {
    }

    /** The untrimmed user message. */
    public FittedPrompt whole(GenerationContext context) {
        return new FittedPrompt(templates.render(context), false);
    }

    /** The user message, cut as little as needed to keep the estimated prompt within {@code promptTokens}. */
    public FittedPrompt fit(GenerationContext context, int promptTokens) {
        String code = PromptTemplates.previousCode(context);
        String feedback = PromptTemplates.previousFeedback(context);
        String whole = templates.render(context, code, feedback);
        if (fits(whole, promptTokens)) {
            return new FittedPrompt(whole, false);
        }
        IntFunction<String> withFeedback = kept -> templates.render(context, code, shorten(feedback, kept));
        if (fits(withFeedback.apply(0), promptTokens)) {
            return new FittedPrompt(longest(withFeedback, feedback.length(), promptTokens), true);
        }
        IntFunction<String> withCode = kept -> templates.render(context, shorten(code, kept), shorten(feedback, 0));
        return new FittedPrompt(longest(withCode, code.length(), promptTokens), true);
    }

    /** The messages sent for {@code userMessage}: the system prompt, when set, then the user message. */
    public List<ChatMessage> messages(String userMessage) {
        List<ChatMessage> messages = new ArrayList<>(2);
        if (systemPrompt != null) {
            messages.add(ChatMessage.system(systemPrompt));
        }
        messages.add(ChatMessage.user(userMessage));
        return messages;
    }

    private boolean fits(String userMessage, int promptTokens) {
        return estimator.estimate(messages(userMessage)) <= promptTokens;
    }

    /** The render keeping the most characters (below {@code length}) that fits; keeping none when nothing does. */
    private String longest(IntFunction<String> render, int length, int promptTokens) {
        int low = 0;
        int high = length - 1;
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            if (fits(render.apply(mid), promptTokens)) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return render.apply(Math.max(low, 0));
    }

    /**
     * {@code text} cut to about {@code kept} characters: two thirds from its head, one third from its
     * tail, a marker between; {@link #OMITTED} when {@code kept} is 0 and the text is not empty.
     */
    static String shorten(String text, int kept) {
        if (kept >= text.length()) {
            return text;
        }
        if (kept <= 0) {
            return text.isEmpty() ? text : OMITTED;
        }
        int head = boundary(text, kept * 2 / 3);
        int tail = boundary(text, text.length() - (kept - head));
        return text.substring(0, head) + "\n[... " + (tail - head) + " characters left out: too long for the"
                + " model's context ...]\n" + text.substring(tail);
    }

    /** {@code index}, moved back off the middle of a surrogate pair. */
    private static int boundary(String text, int index) {
        int i = Math.max(0, Math.min(index, text.length()));
        return i > 0 && i < text.length() && Character.isLowSurrogate(text.charAt(i))
                && Character.isHighSurrogate(text.charAt(i - 1)) ? i - 1 : i;
    }
}
