package org.iterpref.trainer.storage;

/**
 * Size limits on one preference pair, wherever it comes from (an upload, the pair feed). The error
 * region is a line diff whose cost grows with the product of the two completions' line counts, so
 * a crafted pair of huge, unrelated completions could stall the service; no real completion is
 * near these limits.
 */
public final class PairLimits {

    /** Most characters of one completion. */
    public static final int MAX_COMPLETION_CHARS = 1 << 20;
    /** Most lines of one completion. */
    public static final int MAX_COMPLETION_LINES = 5000;

    private PairLimits() {
    }

    /**
     * @throws IllegalArgumentException naming {@code field} when {@code completion} is over a limit
     */
    public static void check(String field, String completion) {
        if (completion.length() > MAX_COMPLETION_CHARS) {
            throw new IllegalArgumentException(field + " is longer than " + MAX_COMPLETION_CHARS + " characters");
        }
        int lines = 1;
        for (int i = completion.indexOf('\n'); i >= 0; i = completion.indexOf('\n', i + 1)) {
            if (++lines > MAX_COMPLETION_LINES) {
                throw new IllegalArgumentException(field + " has more than " + MAX_COMPLETION_LINES + " lines");
            }
        }
    }
}
