package org.iterpref.generator.pair;

/**
 * An export that failed after its response was committed (status 200 and the first lines sent). It
 * must reach the servlet container unhandled: the container then closes the connection without the
 * terminating chunk, which every HTTP client reports as an error instead of a complete, shorter export.
 */
public class PairExportFailedException extends RuntimeException {

    PairExportFailedException(long pairsWritten, Throwable cause) {
        super("pair export failed after " + pairsWritten + " pairs", cause);
    }
}
