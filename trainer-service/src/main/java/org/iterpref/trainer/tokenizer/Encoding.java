package org.iterpref.trainer.tokenizer;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The tokens of one text: their ids and, for each, the code-point span of the text it came from
 * (see {@link CodePointSpan} for the unit). {@code ids()[i]} has offsets {@code offsets().get(i)}.
 *
 * <p>Immutable: the id array is copied in and out, so {@link #equals} and {@link #hashCode}
 * compare contents.
 *
 * @param ids token ids
 * @param offsets one code-point span per id
 */
public record Encoding(long[] ids, List<CodePointSpan> offsets) {

    /** Copies both and checks they have the same length. */
    public Encoding {
        ids = ids.clone();
        offsets = List.copyOf(offsets);
        if (ids.length != offsets.size()) {
            throw new IllegalArgumentException(
                    "ids and offsets differ in length: " + ids.length + " vs " + offsets.size());
        }
    }

    /** A copy of the token ids. */
    @Override
    public long[] ids() {
        return ids.clone();
    }

    /** Number of tokens. */
    public int size() {
        return ids.length;
    }

    /** The id of token {@code index}. */
    public long id(int index) {
        return ids[index];
    }

    /** The ids as {@code int}s, the form most model inputs take (token ids fit in 32 bits). */
    public int[] intIds() {
        int[] result = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            result[i] = Math.toIntExact(ids[i]);
        }
        return result;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Encoding that && Arrays.equals(ids, that.ids) && offsets.equals(that.offsets);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + Objects.hashCode(offsets);
    }

    @Override
    public String toString() {
        return "Encoding[ids=" + Arrays.toString(ids) + ", offsets=" + offsets + "]";
    }
}
