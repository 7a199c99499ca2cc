package org.iterpref.generator.source.openai;

/**
 * The server answered that the prompt plus {@code max_tokens} do not fit the model's context: the
 * source can trim the prompt further and try again.
 */
public class ContextLengthExceededException extends ModelRequestException {

    private final ContextOverflow overflow;

    public ContextLengthExceededException(int statusCode, String message, ContextOverflow overflow) {
        super(statusCode, message);
        this.overflow = overflow;
    }

    /** The numbers the server gave (each may be {@code null}). */
    public ContextOverflow overflow() {
        return overflow;
    }
}
