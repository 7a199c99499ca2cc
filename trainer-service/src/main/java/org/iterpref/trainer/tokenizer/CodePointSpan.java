package org.iterpref.trainer.tokenizer;

import org.iterpref.common.pair.CharSpan;

/**
 * The character offsets of one token: the half-open range {@code [start, end)} of the encoded
 * text, counted in <b>Unicode code points</b> as Hugging Face tokenizers and Python count them
 * — not in Java {@code String} (UTF-16) indices, which run one further after every character
 * outside the Basic Multilingual Plane (an emoji, a rare CJK ideograph). Convert with {@link
 * #slice(String)}, {@link CodePointIndex} (many spans of one text) or {@link #toCharSpan()}.
 *
 * <p>A span may be empty: a special token added by the post-processor covers no text and gets
 * {@code (0, 0)}, as in Hugging Face's Python API. Several tokens may share a span when a single
 * character is split into byte-level tokens (an emoji often is).
 *
 * @param start first code point of the token, {@code >= 0}
 * @param end code point just after the token, {@code >= start}
 */
public record CodePointSpan(int start, int end) {

    /** The span of a token that covers no text (an added special token). */
    public static final CodePointSpan EMPTY = new CodePointSpan(0, 0);

    /** Checks {@code 0 <= start <= end}. */
    public CodePointSpan {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("span must satisfy 0 <= start <= end: [" + start + ", " + end + ")");
        }
    }

    /** Number of code points covered. */
    public int length() {
        return end - start;
    }

    /** Whether the span covers no code point. */
    public boolean isEmpty() {
        return end == start;
    }

    /**
     * The text this span covers in {@code text} (the string that was encoded).
     *
     * @throws IndexOutOfBoundsException when the span reaches past the end of {@code text}
     */
    public String slice(String text) {
        int from = text.offsetByCodePoints(0, start);
        return text.substring(from, text.offsetByCodePoints(from, end - start));
    }

    /**
     * This span as the shared {@link CharSpan} of preference pairs (same unit: code points).
     *
     * @throws IllegalStateException when the span is empty, which a {@code CharSpan} cannot be
     */
    public CharSpan toCharSpan() {
        if (isEmpty()) {
            throw new IllegalStateException("an empty token span has no CharSpan: " + this);
        }
        return new CharSpan(start, end);
    }

    /**
     * Whether this token shares at least one code point with {@code region} — the test that
     * makes a token focal for an error region. An empty span overlaps nothing.
     */
    public boolean overlaps(CharSpan region) {
        return !isEmpty() && region.overlaps(start, end);
    }
}
