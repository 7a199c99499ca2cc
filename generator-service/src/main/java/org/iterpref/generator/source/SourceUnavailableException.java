package org.iterpref.generator.source;

/** The code source cannot answer now (unreachable, 429/5xx after retries): retry the job later. */
public class SourceUnavailableException extends RuntimeException {

    public SourceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public SourceUnavailableException(String message) {
        super(message);
    }
}
