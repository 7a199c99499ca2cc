package org.iterpref.trainer.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import jinjava.javax.el.ELException;

/**
 * The {@code tojson} filter as Hugging Face transformers defines it for chat templates: {@code
 * json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)}, arguments
 * by position or name (see {@link PythonJson}).
 */
final class ToJsonFilter implements Filter {

    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        try {
            return dumps(var, args, kwargs);
        } catch (IllegalArgumentException | ArithmeticException e) {
            // jinjava's resolver would swallow an IllegalArgumentException into a silent null
            throw new ELException("tojson: " + e.getMessage(), e);
        }
    }

    private static String dumps(Object var, Object[] args, Map<String, Object> kwargs) {
        boolean ensureAscii = truthy(argument(args, kwargs, 0, "ensure_ascii"));
        Object indentArg = argument(args, kwargs, 1, "indent");
        Optional<String> indent = indentArg == null ? Optional.empty()
                : Optional.of(indentArg instanceof Number n ? " ".repeat(Math.toIntExact(n.longValue()))
                        : indentArg.toString());
        String itemSeparator = indent.isPresent() ? "," : ", ";
        String keySeparator = ": ";
        Object separators = argument(args, kwargs, 2, "separators");
        if (separators != null) {
            if (!(separators instanceof Collection<?> pair) || pair.size() != 2) {
                throw new IllegalArgumentException("separators must be an (item_separator, key_separator) pair");
            }
            Iterator<?> parts = pair.iterator();
            itemSeparator = String.valueOf(parts.next());
            keySeparator = String.valueOf(parts.next());
        }
        boolean sortKeys = truthy(argument(args, kwargs, 3, "sort_keys"));
        return new PythonJson(ensureAscii, indent, itemSeparator, keySeparator, sortKeys).dumps(var);
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        return PythonJson.DEFAULT.dumps(var);
    }

    private static Object argument(Object[] args, Map<String, Object> kwargs, int position, String name) {
        if (kwargs != null && kwargs.containsKey(name)) {
            return kwargs.get(name);
        }
        return args != null && args.length > position ? args[position] : null;
    }

    private static boolean truthy(Object value) {
        return value instanceof Boolean bool ? bool : value != null;
    }
}
