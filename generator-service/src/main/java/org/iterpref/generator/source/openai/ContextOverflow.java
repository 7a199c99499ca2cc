package org.iterpref.generator.source.openai;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server's answer that the prompt plus {@code max_tokens} exceed the model's context, with the
 * numbers it gave. Recognised by OpenAI's {@code context_length_exceeded} code, llama.cpp's
 * {@code exceed_context_size_error} type, or the message: OpenAI, vLLM and the trainer-service say
 * "maximum context length is N tokens" (vLLM also "maximum model length of N"), llama.cpp
 * "exceeds the available context size".
 *
 * @param contextLength the model's context the server stated, or {@code null}
 * @param promptTokens  the tokens the server counted in the prompt, or {@code null}
 */
public record ContextOverflow(Integer contextLength, Integer promptTokens) {

    private static final Pattern OVERFLOW = Pattern.compile(
            "maximum context length|maximum model length|context size|context window|context_length_exceeded",
            Pattern.CASE_INSENSITIVE);
    private static final List<Pattern> CONTEXT = List.of(
            Pattern.compile("maximum (?:context|model) length (?:is|of) (\\d+)", Pattern.CASE_INSENSITIVE),
            Pattern.compile("context (?:size|window) (?:is|of) (\\d+)", Pattern.CASE_INSENSITIVE));
    private static final List<Pattern> PROMPT = List.of(
            Pattern.compile("prompt has (\\d+) tokens", Pattern.CASE_INSENSITIVE),              // trainer-service
            Pattern.compile("\\((\\d+) in (?:your prompt|the messages)", Pattern.CASE_INSENSITIVE), // trainer, vLLM
            Pattern.compile("messages resulted in (\\d+) tokens", Pattern.CASE_INSENSITIVE),    // OpenAI
            Pattern.compile("request has (\\d+) input tokens", Pattern.CASE_INSENSITIVE),       // vLLM >= 0.8
            Pattern.compile("prompt \\(length (\\d+)\\)", Pattern.CASE_INSENSITIVE));           // vLLM decoder prompt

    /**
     * The overflow an error answer reports, if it is one.
     *
     * @param message the server's error message
     * @param code    {@code error.code} or {@code error.type}, or {@code null}
     * @param counted {@code n_ctx} and {@code n_prompt_tokens} when the server sent them as fields (llama.cpp)
     */
    static Optional<ContextOverflow> of(String message, String code, ContextOverflow counted) {
        boolean byCode = code != null && (code.equals("context_length_exceeded") || code.equals("exceed_context_size_error"));
        String text = message == null ? "" : message;
        if (!byCode && !OVERFLOW.matcher(text).find()) {
            return Optional.empty();
        }
        Integer context = counted.contextLength() != null ? counted.contextLength() : first(CONTEXT, text);
        Integer prompt = counted.promptTokens() != null ? counted.promptTokens() : first(PROMPT, text);
        return Optional.of(new ContextOverflow(context, prompt));
    }

    private static Integer first(List<Pattern> patterns, String text) {
        for (Pattern pattern : patterns) {
            Matcher m = pattern.matcher(text);
            if (m.find()) {
                try {
                    return Integer.valueOf(m.group(1));
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
