package org.iterpref.common.pair;

/**
 * A half-open span {@code [start, end)} of a text, counted in Unicode code points, as Python
 * string indices, TRL and Hugging Face tokenizer offsets count them. A Java {@code String}
 * index counts UTF-16 units instead and runs one further after every character outside the
 * Basic Multilingual Plane (an emoji, say); {@link #toUtf16(String)} and {@link
 * #fromUtf16(String, int, int)} convert between the two.
 *
 * @param start first code point of the span, {@code >= 0}
 * @param end code point just after the span, {@code > start}
 */
public record CharSpan(int start, int end) {

    public CharSpan {
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("span must satisfy 0 <= start < end: [" + start + ", " + end + ")");
        }
    }

    /** The same span in Java {@code String} (UTF-16) indices, {@code [start, end)}. */
    public record Utf16Range(int start, int end) {
    }

    /** Number of code points in the span. */
    public int length() {
        return end - start;
    }

    /**
     * The span in UTF-16 indices of {@code text}.
     *
     * @throws IllegalArgumentException when the span reaches past the end of {@code text}
     */
    public Utf16Range toUtf16(String text) {
        int codePoints = text.codePointCount(0, text.length());
        if (end > codePoints) {
            throw new IllegalArgumentException("span [" + start + ", " + end + ") is past the end of a text of "
                    + codePoints + " code points");
        }
        int from = text.offsetByCodePoints(0, start);
        return new Utf16Range(from, text.offsetByCodePoints(from, end - start));
    }

    /** The text the span covers. */
    public String slice(String text) {
        Utf16Range range = toUtf16(text);
        return text.substring(range.start(), range.end());
    }

    /**
     * The code-point span of the UTF-16 range {@code [start, end)} of {@code text}.
     *
     * @throws IllegalArgumentException when the range is empty, out of bounds, or a bound falls
     *     between the two halves of a surrogate pair
     */
    public static CharSpan fromUtf16(String text, int start, int end) {
        if (start < 0 || end <= start || end > text.length()) {
            throw new IllegalArgumentException("invalid UTF-16 range [" + start + ", " + end + ") of a text of "
                    + text.length() + " units");
        }
        if (splitsSurrogatePair(text, start) || splitsSurrogatePair(text, end)) {
            throw new IllegalArgumentException("UTF-16 range [" + start + ", " + end + ") splits a surrogate pair");
        }
        int from = text.codePointCount(0, start);
        return new CharSpan(from, from + text.codePointCount(start, end));
    }

    /** This span moved by {@code offset} code points (the offset of an enclosing text). */
    public CharSpan shift(int offset) {
        return new CharSpan(start + offset, end + offset);
    }

    /**
     * Whether this span shares at least one code point with {@code [otherStart, otherEnd)} —
     * the test that makes a token with those offsets a focal token.
     */
    public boolean overlaps(int otherStart, int otherEnd) {
        return otherStart < end && otherEnd > start;
    }

    private static boolean splitsSurrogatePair(String text, int index) {
        return index > 0 && index < text.length()
                && Character.isHighSurrogate(text.charAt(index - 1))
                && Character.isLowSurrogate(text.charAt(index));
    }
}
