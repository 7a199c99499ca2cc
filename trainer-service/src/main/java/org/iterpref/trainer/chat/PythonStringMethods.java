package org.iterpref.trainer.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.objects.SafeString;
import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELException;
import jinjava.javax.el.ELResolver;

/**
 * Python {@code str} methods on strings in template expressions ({@code
 * message.content.strip()}, {@code .split('</think>')}, {@code .startswith(...)}), which Jinja2
 * templates call and jinjava would otherwise resolve to Java's {@code String} methods (or to
 * none), and indexing a string by position. Placed before jinjava's own resolvers; every other
 * call falls through to them. Stateless.
 */
final class PythonStringMethods extends ELResolver {

    private static final Pattern INDEX = Pattern.compile("-?\\d{1,9}");

    static final Set<String> METHODS = Set.of("strip", "lstrip", "rstrip", "split", "rsplit", "startswith",
            "endswith", "upper", "lower", "title", "capitalize", "replace", "find", "rfind", "index", "rindex",
            "count", "join", "splitlines", "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower");

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String || base instanceof SafeString) || method == null
                || !METHODS.contains(method.toString())) {
            return null;
        }
        Object result;
        try {
            result = call(base.toString(), method.toString(), params == null ? new Object[0] : params);
        } catch (IllegalArgumentException | ArithmeticException e) {
            // jinjava's resolver would swallow an IllegalArgumentException into a silent null
            throw new ELException(method + "(): " + e.getMessage(), e);
        }
        long limit = JinjavaInterpreter.getCurrentMaybe().map(i -> i.getConfig().getMaxStringLength()).orElse(0L);
        if (limit > 0 && result instanceof String text && text.length() > limit) {
            throw new ELException(method + "(): the result has " + text.length()
                    + " characters, more than the limit of " + limit);
        }
        context.setPropertyResolved(true);
        return result;
    }

    /** Calls Python method {@code name} on {@code s}. */
    static Object call(String s, String name, Object[] args) {
        switch (name) {
            case "strip":
                return PythonStrings.strip(s, optionalString(name, args, 0), true, true);
            case "lstrip":
                return PythonStrings.strip(s, optionalString(name, args, 0), true, false);
            case "rstrip":
                return PythonStrings.strip(s, optionalString(name, args, 0), false, true);
            case "split":
                return PythonStrings.split(s, optionalString(name, args, 0), optionalInt(name, args, 1, -1));
            case "rsplit":
                return PythonStrings.rsplit(s, optionalString(name, args, 0), optionalInt(name, args, 1, -1));
            case "startswith":
                return affix(s, name, args, true);
            case "endswith":
                return affix(s, name, args, false);
            case "upper":
                return s.toUpperCase(Locale.ROOT);
            case "lower":
                return s.toLowerCase(Locale.ROOT);
            case "title":
                return PythonStrings.title(s);
            case "capitalize":
                return PythonStrings.capitalize(s);
            case "replace":
                return PythonStrings.replace(s, string(name, args, 0), string(name, args, 1),
                        optionalInt(name, args, 2, -1));
            case "find":
                return PythonStrings.find(s, string(name, args, 0), false);
            case "rfind":
                return PythonStrings.find(s, string(name, args, 0), true);
            case "index":
            case "rindex":
                int index = PythonStrings.find(s, string(name, args, 0), name.equals("rindex"));
                if (index < 0) {
                    throw new IllegalArgumentException("substring not found");
                }
                return index;
            case "count":
                return PythonStrings.count(s, string(name, args, 0));
            case "join":
                return join(s, name, args);
            case "splitlines":
                return PythonStrings.splitlines(s, args.length > 0 && Boolean.TRUE.equals(args[0]));
            case "isdigit":
                return PythonStrings.all(s, Character::isDigit);
            case "isalpha":
                return PythonStrings.all(s, Character::isLetter);
            case "isalnum":
                return PythonStrings.all(s, Character::isLetterOrDigit);
            case "isspace":
                return PythonStrings.all(s, PythonStrings::isSpace);
            case "isupper":
                return s.codePoints().anyMatch(Character::isUpperCase) && s.equals(s.toUpperCase(Locale.ROOT));
            case "islower":
                return s.codePoints().anyMatch(Character::isLowerCase) && s.equals(s.toLowerCase(Locale.ROOT));
            default:
                throw new IllegalStateException("unhandled str method " + name);
        }
    }

    private static boolean affix(String s, String name, Object[] args, boolean prefix) {
        arity(name, args, 1, 3);
        String target = s;
        if (args.length > 1) {
            int length = s.codePointCount(0, s.length());
            int start = bound(optionalInt(name, args, 1, 0), length);
            int end = bound(optionalInt(name, args, 2, length), length);
            target = start >= end ? "" : s.substring(s.offsetByCodePoints(0, start), s.offsetByCodePoints(0, end));
        }
        Object affixes = args[0];
        Collection<?> candidates = affixes instanceof Collection<?> c ? c : List.of(string(name, args, 0));
        for (Object candidate : candidates) {
            if (!(candidate instanceof String || candidate instanceof SafeString)) {
                throw new IllegalArgumentException(name + " arg must be str or a tuple of str");
            }
            String text = candidate.toString();
            if (prefix ? target.startsWith(text) : target.endsWith(text)) {
                return true;
            }
        }
        return false;
    }

    private static int bound(int index, int length) {
        return index < 0 ? Math.max(0, index + length) : Math.min(index, length);
    }

    private static String join(String separator, String name, Object[] args) {
        arity(name, args, 1, 1);
        if (!(args[0] instanceof Iterable<?> items)) {
            throw new IllegalArgumentException("can only join an iterable");
        }
        List<String> parts = new ArrayList<>();
        for (Object item : items) {
            if (!(item instanceof String || item instanceof SafeString)) {
                throw new IllegalArgumentException("sequence item " + parts.size() + ": expected str instance");
            }
            parts.add(item.toString());
        }
        return String.join(separator, parts);
    }

    private static String string(String name, Object[] args, int position) {
        arity(name, args, position + 1, Integer.MAX_VALUE);
        Object value = args[position];
        if (!(value instanceof String || value instanceof SafeString)) {
            throw new IllegalArgumentException(name + "() argument " + (position + 1) + " must be str, not "
                    + typeName(value));
        }
        return value.toString();
    }

    private static String optionalString(String name, Object[] args, int position) {
        return args.length <= position || args[position] == null ? null : string(name, args, position);
    }

    private static int optionalInt(String name, Object[] args, int position, int absent) {
        if (args.length <= position || args[position] == null) {
            return absent;
        }
        if (!(args[position] instanceof Number number)) {
            throw new IllegalArgumentException(name + "() argument " + (position + 1) + " must be int, not "
                    + typeName(args[position]));
        }
        return Math.toIntExact(number.longValue());
    }

    private static void arity(String name, Object[] args, int min, int max) {
        if (args.length < min || args.length > max) {
            throw new IllegalArgumentException(name + "() takes " + (min == max ? "exactly " + min
                    : "at least " + min) + " argument(s) (" + args.length + " given)");
        }
    }

    private static String typeName(Object value) {
        return value == null ? "NoneType" : value.getClass().getSimpleName();
    }

    /**
     * {@code text[i]}: the code point at {@code i} (negative from the end), or undefined (null)
     * out of range, as Jinja2's subscript gives; jinjava has no string indexing.
     */
    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        if (!(base instanceof String || base instanceof SafeString) || property == null
                || !INDEX.matcher(property.toString()).matches()) {
            return null;
        }
        context.setPropertyResolved(true);
        int[] codePoints = base.toString().codePoints().toArray();
        long index = Long.parseLong(property.toString());
        index = index < 0 ? index + codePoints.length : index;
        return index < 0 || index >= codePoints.length ? null : Character.toString(codePoints[(int) index]);
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // read-only: other resolvers decide
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
