package org.iterpref.generator.task;

import java.util.List;

/**
 * Outcome of an import: how many lines were read, stored and found valid, invalid (reference
 * fails its tests) or pending (executor unavailable), and each rejected line with its number.
 */
public record ImportReport(String set, String format, int lines, int imported, int valid, int invalid, int pending,
                           List<LineError> errors, boolean errorsTruncated) {

    /** A line that was not imported, and why. */
    public record LineError(int line, String message) {
    }
}
