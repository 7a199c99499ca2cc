package org.iterpref.trainer.tokenizer;

import java.util.Arrays;

/**
 * Converts between code-point offsets (what {@link CodePointSpan} counts) and Java {@code
 * String} (UTF-16) indices of one text, in O(1) (to UTF-16) or O(log n) (back) per conversion after an O(n) table build —
 * for converting all token offsets of a long text, where {@link String#offsetByCodePoints} per
 * span would be quadratic. Texts without surrogate pairs need no table.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class CodePointIndex {

    private final String text;
    /** UTF-16 index of each code point, plus {@code text.length()} at the end; null when identity. */
    private final int[] utf16ByCodePoint;
    private final int codePoints;

    private CodePointIndex(String text) {
        this.text = text;
        this.codePoints = text.codePointCount(0, text.length());
        if (codePoints == text.length()) {
            this.utf16ByCodePoint = null;
        } else {
            int[] table = new int[codePoints + 1];
            int utf16 = 0;
            for (int cp = 0; cp < codePoints; cp++) {
                table[cp] = utf16;
                utf16 += Character.charCount(text.codePointAt(utf16));
            }
            table[codePoints] = text.length();
            this.utf16ByCodePoint = table;
        }
    }

    /** The index of {@code text}. */
    public static CodePointIndex of(String text) {
        return new CodePointIndex(text);
    }

    /** The indexed text. */
    public String text() {
        return text;
    }

    /** Number of code points of the text. */
    public int codePointLength() {
        return codePoints;
    }

    /**
     * The UTF-16 index of code-point offset {@code codePointOffset}.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= codePointOffset <= codePointLength()}
     */
    public int toUtf16(int codePointOffset) {
        if (codePointOffset < 0 || codePointOffset > codePoints) {
            throw new IndexOutOfBoundsException(
                    "code-point offset " + codePointOffset + " outside [0, " + codePoints + "]");
        }
        return utf16ByCodePoint == null ? codePointOffset : utf16ByCodePoint[codePointOffset];
    }

    /**
     * The code-point offset of UTF-16 index {@code utf16Index}; an index between the halves of a
     * surrogate pair maps to the offset of the pair's character plus one, as {@link
     * String#codePointCount} counts.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= utf16Index <= text().length()}
     */
    public int toCodePoint(int utf16Index) {
        if (utf16Index < 0 || utf16Index > text.length()) {
            throw new IndexOutOfBoundsException("UTF-16 index " + utf16Index + " outside [0, " + text.length() + "]");
        }
        if (utf16ByCodePoint == null) {
            return utf16Index;
        }
        int found = Arrays.binarySearch(utf16ByCodePoint, utf16Index);
        return found >= 0 ? found : -found - 1;
    }

    /** The text {@code span} covers. */
    public String slice(CodePointSpan span) {
        return text.substring(toUtf16(span.start()), toUtf16(span.end()));
    }
}
