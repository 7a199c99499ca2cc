package org.iterpref.trainer.chat;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds on what a chat template may do, so a hostile or broken template cannot exhaust the
 * service.
 *
 * @param maxTemplateChars largest template source accepted
 * @param maxOutputChars largest rendered prompt (and largest string built while rendering)
 * @param maxRenderTime wall-clock budget of one render, checked before each template node
 * @param maxRange largest {@code range(...)} (Jinja2's sandbox allows 100,000)
 * @param maxCollectionSize largest list or dict built while rendering
 * @param maxMacroDepth deepest macro recursion
 * @param maxNesting deepest nesting of blocks, and of brackets in an expression (Python's parser
 *     allows 200 levels of brackets; real chat templates use a handful)
 */
public record ChatTemplateLimits(int maxTemplateChars, long maxOutputChars, Duration maxRenderTime, int maxRange,
                                 int maxCollectionSize, int maxMacroDepth, int maxNesting) {

    /** Generous for real templates (a few KiB rendering prompts up to a few MiB). */
    public static final ChatTemplateLimits DEFAULT =
            new ChatTemplateLimits(1 << 20, 16L << 20, Duration.ofSeconds(2), 100_000, 100_000, 64, 100);

    /** Checks every limit is positive. */
    public ChatTemplateLimits {
        Objects.requireNonNull(maxRenderTime, "maxRenderTime");
        if (maxTemplateChars <= 0 || maxOutputChars <= 0 || maxRenderTime.isNegative() || maxRenderTime.isZero()
                || maxRange <= 0 || maxCollectionSize <= 0 || maxMacroDepth <= 0 || maxNesting <= 0) {
            throw new IllegalArgumentException("chat template limits must be positive: " + this);
        }
    }
}
