package org.iterpref.trainer.serving;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.iterpref.trainer.tokenizer.TextTokenizer;

/**
 * Turns generated token ids into text as they arrive, and finds stop strings in it.
 *
 * <p>Detokenization is incremental (as in text-generation-inference): each new token's text is the
 * difference between decoding a short window that ends with it and the same window without it, so
 * the cost per token is constant and tokens that start a multi-byte character wait until it is
 * complete. {@link #add} releases only text that can no longer turn into the start of a stop
 * string; once a stop string appears the text ends right before it. What {@link #add} and
 * {@link #finish} release, concatenated, is {@link #text()}.
 */
final class IncrementalText {

    private static final char REPLACEMENT = '\uFFFD';

    private final TextTokenizer tokenizer;
    private final List<String> stops;
    private final int longestStop;
    private long[] ids = new long[16];
    private int count;
    private int prefixOffset;
    private int readOffset;
    private final StringBuilder text = new StringBuilder();
    private int released;
    private boolean stopped;

    IncrementalText(TextTokenizer tokenizer, List<String> stops) {
        this.tokenizer = tokenizer;
        this.stops = List.copyOf(stops);
        this.longestStop = stops.stream().mapToInt(String::length).max().orElse(0);
    }

    /** Adds a token; returns the text released by it (possibly empty). */
    String add(long id) {
        if (stopped) {
            throw new IllegalStateException("a stop string already ended the text");
        }
        if (count == ids.length) {
            ids = Arrays.copyOf(ids, count * 2);
        }
        ids[count++] = id;
        String before = decode(prefixOffset, readOffset);
        String after = decode(prefixOffset, count);
        if (after.length() > before.length() && after.startsWith(before) && after.charAt(after.length() - 1) != REPLACEMENT) {
            int searchFrom = Math.max(0, text.length() - longestStop + 1);
            text.append(after, before.length(), after.length());
            prefixOffset = readOffset;
            readOffset = count;
            int stopAt = firstStop(searchFrom);
            if (stopAt >= 0) {
                stopped = true;
                text.setLength(Math.max(stopAt, released));
                return releaseUpTo(text.length());
            }
        }
        return releaseUpTo(text.length() - heldBack());
    }

    /** Ends the text (no more tokens): releases what was held back, including incomplete characters. */
    String finish() {
        if (!stopped && readOffset < count) {
            String before = decode(prefixOffset, readOffset);
            String after = decode(prefixOffset, count);
            text.append(after.startsWith(before) ? after.substring(before.length()) : after);
            readOffset = count;
            int stopAt = firstStop(0);
            if (stopAt >= 0) {
                stopped = true;
                text.setLength(Math.max(stopAt, released));
            }
        }
        return releaseUpTo(text.length());
    }

    /** Whether a stop string ended the text. */
    boolean stopped() {
        return stopped;
    }

    /** The text so far (all of it once finished). */
    String text() {
        return text.toString();
    }

    private String decode(int from, int to) {
        return from >= to ? "" : tokenizer.decode(Arrays.copyOfRange(ids, from, to), true);
    }

    private String releaseUpTo(int end) {
        if (end > 0 && end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        if (end <= released) {
            return "";
        }
        String out = text.substring(released, end);
        released = end;
        return out;
    }

    /** The length of the longest tail of the text that is a proper prefix of a stop string. */
    private int heldBack() {
        int window = Math.min(longestStop - 1, text.length());
        if (window <= 0) {
            return 0;
        }
        String tail = text.substring(text.length() - window);
        int held = 0;
        for (String stop : stops) {
            for (int k = Math.min(stop.length() - 1, window); k > held; k--) {
                if (tail.regionMatches(window - k, stop, 0, k)) {
                    held = k;
                    break;
                }
            }
        }
        return held;
    }

    private int firstStop(int from) {
        int best = -1;
        for (String stop : stops) {
            int at = text.indexOf(stop, from);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }
}
