package org.iterpref.executor.runtime;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;

/**
 * Writes maps, lists, strings, integers, booleans and null in CPython's {@code marshal} format,
 * which the harness reads with {@code marshal.loads} — no JSON parser to import at start-up.
 */
final class PythonMarshal {

    private static final BigInteger DIGIT_BASE = BigInteger.ONE.shiftLeft(15);

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(4096);

    private PythonMarshal() {
    }

    static byte[] dump(Object value) {
        PythonMarshal marshal = new PythonMarshal();
        marshal.write(value);
        return marshal.out.toByteArray();
    }

    private void write(Object value) {
        if (value == null) {
            out.write('N');
        } else if (value instanceof Boolean b) {
            out.write(b ? 'T' : 'F');
        } else if (value instanceof Integer || value instanceof Long) {
            writeInteger(((Number) value).longValue());
        } else if (value instanceof CharSequence s) {
            byte[] utf8 = s.toString().getBytes(StandardCharsets.UTF_8);
            out.write('u');
            int32(utf8.length);
            out.writeBytes(utf8);
        } else if (value instanceof Collection<?> list) {
            out.write('[');
            int32(list.size());
            list.forEach(this::write);
        } else if (value instanceof Map<?, ?> map) {
            out.write('{');
            map.forEach((k, v) -> {
                write(String.valueOf(k));
                write(v);
            });
            out.write('0');
        } else {
            throw new IllegalArgumentException("cannot marshal " + value.getClass().getName());
        }
    }

    private void writeInteger(long v) {
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write('i');
            int32((int) v);
            return;
        }
        // TYPE_LONG: signed count of 15-bit digits, least significant first
        BigInteger magnitude = BigInteger.valueOf(v).abs();
        java.util.List<Integer> digits = new java.util.ArrayList<>();
        while (magnitude.signum() > 0) {
            BigInteger[] qr = magnitude.divideAndRemainder(DIGIT_BASE);
            digits.add(qr[1].intValue());
            magnitude = qr[0];
        }
        out.write('l');
        int32(v < 0 ? -digits.size() : digits.size());
        for (int digit : digits) {
            out.write(digit & 0xff);
            out.write((digit >>> 8) & 0xff);
        }
    }

    private void int32(int v) {
        out.write(v & 0xff);
        out.write((v >>> 8) & 0xff);
        out.write((v >>> 16) & 0xff);
        out.write((v >>> 24) & 0xff);
    }
}
