package org.iterpref.trainer.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.interpret.TemplateError.ErrorReason;
import com.hubspot.jinjava.interpret.TemplateError.ErrorType;
import com.hubspot.jinjava.interpret.errorcategory.BasicTemplateErrorCategory;
import com.hubspot.jinjava.tree.Node;
import java.time.Duration;
import jinjava.de.odysseus.el.tree.TreeBuilderException;

/**
 * The jinjava interpreter of one render, made to fail the way Jinja2 does: jinjava records most
 * errors and carries on rendering, this interpreter throws a {@link ChatTemplateException} on
 * the first fatal one (and on output, collection or recursion limits and rendering cycles, which
 * jinjava reports as warnings and renders around), and once the render's
 * time budget is spent. Warnings about undefined names and attributes are ignored, as Jinja2's
 * default {@code Undefined} renders them empty. Values print as Python prints them. Used by one
 * thread for one render.
 */
final class GuardedInterpreter extends JinjavaInterpreter {

    private final long deadline;
    private final Duration budget;

    GuardedInterpreter(Jinjava application, Context context, JinjavaConfig config, Duration budget) {
        super(application, context, config);
        this.budget = budget;
        this.deadline = System.nanoTime() + budget.toNanos();
    }

    /** The node pre-processor of the engine's configuration: checks the deadline of the render. */
    static void beforeNode(Node node, JinjavaInterpreter interpreter) {
        if (interpreter instanceof GuardedInterpreter guarded && System.nanoTime() - guarded.deadline > 0) {
            throw new ChatTemplateException(ChatTemplateException.Kind.RENDER,
                    "rendering the chat template took longer than " + guarded.budget.toMillis() + " ms",
                    node.getLineNumber(), null);
        }
    }

    /** Rendered values print as Python's {@code str()} does ({@link PythonValues}). */
    @Override
    public String getAsString(Object object) {
        String python = PythonValues.str(object);
        return python != null ? python : super.getAsString(object);
    }

    @Override
    public void addError(TemplateError error) {
        if (error == null) {
            return;
        }
        ChatTemplateException raised = find(error.getException(), ChatTemplateException.class);
        if (raised != null) {
            throw raised.atLine(error.getLineno());
        }
        if (error.getSeverity() == ErrorType.FATAL || isLimit(error)) {
            throw toException(error);
        }
    }

    /** Limits and cycles, which jinjava reports as warnings and then renders around. */
    private static boolean isLimit(TemplateError error) {
        return error.getReason() == ErrorReason.OUTPUT_TOO_BIG || error.getReason() == ErrorReason.COLLECTION_TOO_BIG
                || error.getReason() == ErrorReason.OVER_LIMIT
                || error.getCategory() == BasicTemplateErrorCategory.CYCLE_DETECTED
                || error.getCategory() == BasicTemplateErrorCategory.IMPORT_CYCLE_DETECTED;
    }

    /**
     * The exception for a jinjava error: a syntax error when its expression did not parse. The
     * root cause's message is added when jinjava's own says only which function failed.
     */
    static ChatTemplateException toException(TemplateError error) {
        boolean syntax = find(error.getException(), TreeBuilderException.class) != null;
        String message = String.valueOf(error.getMessage());
        Throwable root = error.getException();
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != null && root.getMessage() != null && !message.contains(root.getMessage())) {
            message += ": " + root.getMessage();
        }
        return new ChatTemplateException(syntax ? ChatTemplateException.Kind.SYNTAX : ChatTemplateException.Kind.RENDER,
                message, error.getLineno(), error.getException());
    }

    /** The first {@code type} in the cause chain of {@code throwable}, or null. */
    static <T extends Throwable> T find(Throwable throwable, Class<T> type) {
        for (Throwable t = throwable; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
