package org.iterpref.cli;

/** What {@code iterpref} exits with: CI jobs branch on these. */
public final class ExitCodes {

    /** Done; for {@code eval}, the gate passed (or there was none and the evaluation completed). */
    public static final int OK = 0;
    /** The gate failed, or the evaluation, run or job ended without completing. */
    public static final int FAILED = 1;
    /** Bad usage, or the server refused or could not be reached. */
    public static final int ERROR = 2;

    private ExitCodes() {
    }
}
