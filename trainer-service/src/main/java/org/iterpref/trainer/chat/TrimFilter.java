package org.iterpref.trainer.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.Map;
import java.util.Objects;

/**
 * Jinja2's {@code trim(value, chars=None)}: Python's {@code str.strip}, which removes Unicode
 * whitespace (no-break spaces included) rather than jinjava's characters up to U+0020.
 */
final class TrimFilter implements Filter {

    @Override
    public String getName() {
        return "trim";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object chars = kwargs != null && kwargs.containsKey("chars") ? kwargs.get("chars")
                : args != null && args.length > 0 ? args[0] : null;
        return PythonStrings.strip(Objects.toString(var, ""), chars == null ? null : chars.toString(), true, true);
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        return filter(var, interpreter, args, Map.of());
    }
}
