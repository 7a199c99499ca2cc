package org.iterpref.trainer.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpretException;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.tree.Node;
import java.time.Duration;

/**
 * A parsed chat template, ready to render any number of conversations. Made by {@link
 * ChatTemplateEngine#compile}; immutable and thread-safe (each render gets its own interpreter).
 */
public final class ChatTemplate {

    private final Jinjava jinjava;
    private final JinjavaConfig config;
    private final Duration budget;
    private final Node root;

    ChatTemplate(Jinjava jinjava, JinjavaConfig config, Duration budget, Node root) {
        this.jinjava = jinjava;
        this.config = config;
        this.budget = budget;
        this.root = root;
    }

    /**
     * Renders the template as transformers' {@code apply_chat_template(..., tokenize=False)} does.
     *
     * @throws ChatTemplateException {@link ChatTemplateException.Kind#RAISED} when the template
     *     rejects the input with {@code raise_exception}, {@link ChatTemplateException.Kind#SYNTAX}
     *     for an expression that does not parse, {@link ChatTemplateException.Kind#RENDER} for any
     *     other failure or exceeded limit
     */
    public String render(ChatTemplateInput input) {
        Context context = new Context(jinjava.getGlobalContextCopy(), input.variables(), config.getDisabled());
        GuardedInterpreter interpreter = new GuardedInterpreter(jinjava, context, config, budget);
        JinjavaInterpreter.pushCurrent(interpreter);
        try {
            return interpreter.render(root, false);
        } catch (ChatTemplateException e) {
            throw e;
        } catch (StackOverflowError e) {
            throw new ChatTemplateException(ChatTemplateException.Kind.RENDER,
                    "the chat template recursed too deeply", interpreter.getLineNumber(), null);
        } catch (RuntimeException e) {
            ChatTemplateException cause = GuardedInterpreter.find(e, ChatTemplateException.class);
            if (cause != null) {
                throw cause;
            }
            int line = e instanceof InterpretException interpret ? interpret.getLineNumber()
                    : interpreter.getLineNumber();
            throw new ChatTemplateException(ChatTemplateException.Kind.RENDER, String.valueOf(e.getMessage()), line, e);
        } finally {
            JinjavaInterpreter.popCurrent();
        }
    }
}
