package org.iterpref.trainer.dpo;

import java.util.List;
import java.util.Objects;
import org.iterpref.common.pair.CharSpan;

/**
 * One preference pair as the trainer consumes it, whatever it came from (an uploaded file in
 * OpenAI's DPO or the TRL / Target-DPO format, or the generator's pair feed).
 *
 * @param messages the prompt as chat messages (a TRL {@code prompt} is one {@code user} message);
 *     rendered with the model's chat template and its generation prompt, or joined as raw text
 *     when the model has none (or the job asks for raw prompts)
 * @param chosen the preferred completion, exactly as it is to be learned
 * @param rejected the failing completion
 * @param errorSpans the error region of {@code rejected}: sorted, disjoint {@code [start, end)}
 *     spans in code points of {@code rejected}; empty means no focal token (a plain-DPO job still
 *     counts every rejected token)
 */
public record TrainingPair(List<PromptMessage> messages, String chosen, String rejected, List<CharSpan> errorSpans) {

    public TrainingPair {
        messages = List.copyOf(messages);
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(rejected, "rejected");
        errorSpans = List.copyOf(errorSpans);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a pair needs a prompt (at least one message)");
        }
    }

    /** A pair whose prompt is one user message (the TRL format, and the generator's feed). */
    public static TrainingPair ofPrompt(String prompt, String chosen, String rejected, List<CharSpan> errorSpans) {
        return new TrainingPair(List.of(new PromptMessage("user", prompt)), chosen, rejected, errorSpans);
    }

    /** One chat message of a prompt ({@code system}, {@code user} or {@code assistant}). */
    public record PromptMessage(String role, String content) {

        public PromptMessage {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(content, "content");
        }
    }
}
