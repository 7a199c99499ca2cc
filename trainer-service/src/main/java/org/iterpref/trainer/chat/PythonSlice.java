package org.iterpref.trainer.chat;

import com.hubspot.jinjava.el.ext.AstRangeBracket;
import com.hubspot.jinjava.objects.SafeString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jinjava.de.odysseus.el.tree.Bindings;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELException;

/**
 * A Python slice {@code value[start:stop:step]} of a list or string, any part optional and
 * negative indices counted from the end ({@code messages[::-1]}, {@code text[-3:]}); jinjava's
 * own slices have no step. Strings are sliced by code point.
 */
final class PythonSlice extends AstRangeBracket {

    private final AstNode step;

    PythonSlice(AstNode base, AstNode start, AstNode stop, AstNode step, boolean lvalue, boolean strict,
            boolean ignoreReturnType) {
        super(base, start, stop, lvalue, strict, ignoreReturnType);
        this.step = step;
    }

    @Override
    public Object eval(Bindings bindings, ELContext context) {
        Object base = prefix.eval(bindings, context);
        if (base == null) {
            return null;
        }
        Integer start = index(property, bindings, context);
        Integer stop = index(rangeMax, bindings, context);
        Integer stepValue = index(step, bindings, context);
        int by = stepValue == null ? 1 : stepValue;
        if (by == 0) {
            throw new ELException("slice step cannot be zero");
        }
        if (base instanceof String || base instanceof SafeString) {
            int[] codePoints = base.toString().codePoints().toArray();
            StringBuilder out = new StringBuilder();
            for (int i : positions(codePoints.length, start, stop, by)) {
                out.appendCodePoint(codePoints[i]);
            }
            return out.toString();
        }
        List<?> items = items(base);
        List<Object> out = new ArrayList<>();
        for (int i : positions(items.size(), start, stop, by)) {
            out.add(items.get(i));
        }
        return out;
    }

    private static List<?> items(Object base) {
        if (base instanceof List<?> list) {
            return list;
        }
        if (base instanceof Object[] array) {
            return Arrays.asList(array);
        }
        if (base instanceof Iterable<?> iterable) {
            List<Object> copy = new ArrayList<>();
            iterable.forEach(copy::add);
            return copy;
        }
        throw new ELException("'" + base.getClass().getSimpleName() + "' object is not subscriptable by a slice");
    }

    /** The indices Python's {@code slice(start, stop, step).indices(length)} walks. */
    static int[] positions(int length, Integer start, Integer stop, int step) {
        int lower = step > 0 ? 0 : -1;
        int upper = step > 0 ? length : length - 1;
        int from = start == null ? (step > 0 ? lower : upper) : clamp(start, length, lower, upper);
        int to = stop == null ? (step > 0 ? upper : lower) : clamp(stop, length, lower, upper);
        int count = step > 0 ? Math.max(0, (to - from + step - 1) / step) : Math.max(0, (from - to - step - 1) / -step);
        int[] positions = new int[count];
        for (int k = 0; k < count; k++) {
            positions[k] = from + k * step;
        }
        return positions;
    }

    private static int clamp(int index, int length, int lower, int upper) {
        if (index < 0) {
            return Math.max(index + length, lower);
        }
        return Math.min(index, upper);
    }

    private static Integer index(AstNode node, Bindings bindings, ELContext context) {
        if (node == null) {
            return null;
        }
        Object value = node.eval(bindings, context);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number number) || value instanceof Double || value instanceof Float) {
            throw new ELException("slice indices must be integers or None");
        }
        return Math.toIntExact(number.longValue());
    }

    @Override
    public String toString() {
        return "[::]";
    }
}
