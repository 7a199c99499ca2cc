package org.iterpref.trainer.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The global functions Hugging Face transformers gives chat templates: {@code
 * raise_exception(message)}, which aborts rendering with the template's message, and {@code
 * strftime_now(format)}, the current local time formatted strftime-style; and Python's {@code
 * range}, which fails beyond the sandbox's limit where jinjava's silently stops at it.
 */
final class TemplateFunctions {

    private TemplateFunctions() {
    }

    /** Definitions to register with jinjava (global namespace). */
    static List<ELFunctionDefinition> definitions() {
        return List.of(
                new ELFunctionDefinition("", "raise_exception", TemplateFunctions.class, "raiseException",
                        Object.class),
                new ELFunctionDefinition("", "strftime_now", TemplateFunctions.class, "strftimeNow", String.class),
                new ELFunctionDefinition("", "range", TemplateFunctions.class, "range", Object.class, Object[].class));
    }

    /** {@code raise_exception(message)}: always throws a {@link ChatTemplateException.Kind#RAISED}. */
    static Object raiseException(Object message) {
        int line = JinjavaInterpreter.getCurrentMaybe().map(JinjavaInterpreter::getLineNumber).orElse(0);
        throw new ChatTemplateException(ChatTemplateException.Kind.RAISED, Objects.toString(message), line, null);
    }

    /**
     * Python's {@code range(stop)}, {@code range(start, stop)}, {@code range(start, stop, step)}.
     *
     * @throws IllegalArgumentException for a zero step, a non-integer argument, or more items
     *     than the engine's range limit (Jinja2's sandbox raises {@code OverflowError})
     */
    static List<Long> range(Object first, Object... rest) {
        if (rest.length > 2) {
            throw new IllegalArgumentException("range expected at most 3 arguments, got " + (rest.length + 1));
        }
        long start = rest.length == 0 ? 0 : integer(first);
        long stop = rest.length == 0 ? integer(first) : integer(rest[0]);
        long step = rest.length == 2 ? integer(rest[1]) : 1;
        if (step == 0) {
            throw new IllegalArgumentException("range() arg 3 must not be zero");
        }
        long size = step > 0 ? (stop - start + step - 1) / step : (start - stop - step - 1) / -step;
        size = Math.max(0, size);
        int limit = JinjavaInterpreter.getCurrentMaybe().map(interpreter -> interpreter.getConfig().getRangeLimit())
                .orElse(Integer.MAX_VALUE);
        if (size > limit) {
            throw new IllegalArgumentException("range too big: " + size + " items, the limit is " + limit);
        }
        List<Long> values = new ArrayList<>((int) size);
        for (long k = 0; k < size; k++) {
            values.add(start + k * step);
        }
        return values;
    }

    private static long integer(Object value) {
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        throw new IllegalArgumentException("range() arguments must be integers, not " + (value == null ? "None"
                : value.getClass().getSimpleName()));
    }

    /** {@code strftime_now(format)}. */
    static String strftimeNow(String format) {
        return StrftimeFormatter.format(ZonedDateTime.now(), format, Locale.ENGLISH);
    }
}
