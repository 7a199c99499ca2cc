package org.iterpref.trainer.chat;

import java.util.OptionalInt;

/**
 * A chat template that cannot be parsed, that failed on purpose ({@code raise_exception}), or
 * that failed while rendering. The message is fit for an API client: it names the problem and,
 * when known, the template line.
 */
public final class ChatTemplateException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** The template is not valid Jinja (what Jinja2 reports as a {@code TemplateSyntaxError}). */
        SYNTAX,
        /** The template called {@code raise_exception(message)}: it rejects these messages. */
        RAISED,
        /** Rendering failed otherwise: a type error, a limit (output size, time, loop range) exceeded. */
        RENDER
    }

    private final Kind kind;
    private final String detail;
    private final int line;

    /**
     * @param kind what went wrong
     * @param detail the problem, without the line
     * @param line the 1-based template line, or 0 when unknown
     * @param cause the engine's exception, if any
     */
    public ChatTemplateException(Kind kind, String detail, int line, Throwable cause) {
        super(detail + (line > 0 ? " (line " + line + ")" : ""), cause);
        this.kind = kind;
        this.detail = detail;
        this.line = Math.max(line, 0);
    }

    /** What went wrong. */
    public Kind kind() {
        return kind;
    }

    /** The problem without the line number (for {@link Kind#RAISED}, exactly the template's message). */
    public String detail() {
        return detail;
    }

    /** The 1-based template line the problem is on, when known. */
    public OptionalInt line() {
        return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
    }

    /** This exception placed on {@code line}, unless it already has one. */
    ChatTemplateException atLine(int line) {
        return this.line > 0 || line <= 0 ? this : new ChatTemplateException(kind, detail, line, getCause());
    }
}
