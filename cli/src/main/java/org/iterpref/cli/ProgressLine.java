package org.iterpref.cli;

import java.io.PrintWriter;

/**
 * Progress on one line of stderr: rewritten in place on a terminal, and on a CI log (no console) a
 * new line only when the status changes or every {@code everyMs}, so logs stay short.
 */
public final class ProgressLine {

    private final PrintWriter err;
    private final boolean terminal;
    private final long everyMs;
    private String last = "";
    private long lastPrinted;

    public ProgressLine(PrintWriter err, boolean terminal, long everyMs) {
        this.err = err;
        this.terminal = terminal;
        this.everyMs = everyMs;
    }

    public static ProgressLine forConsole(PrintWriter err) {
        return new ProgressLine(err, System.console() != null, 10_000);
    }

    /** Shows {@code text}; {@code key} (e.g. the status) forces a new log line when it changes. */
    public void show(String key, String text) {
        long now = System.currentTimeMillis();
        if (terminal) {
            err.print("\r\033[2K" + text);
            err.flush();
        } else if (!key.equals(last) || now - lastPrinted >= everyMs) {
            err.println(text);
            err.flush();
            lastPrinted = now;
        }
        last = key;
    }

    /** Ends the line (on a terminal), before other output follows. */
    public void done() {
        if (terminal) {
            err.println();
            err.flush();
        }
    }
}
