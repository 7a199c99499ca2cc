package org.iterpref.cli.http;

/**
 * The server answered with an error ({@code status} > 0, its problem detail in the message, field
 * by field where it named them), or could not be reached ({@code status} 0).
 */
public class ApiException extends RuntimeException {

    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public ApiException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    public int status() {
        return status;
    }

    /** Not reached, or a gateway's 502/503/504: the service may well answer a next try. */
    public boolean isTransient() {
        return status == 0 || status == 502 || status == 503 || status == 504;
    }
}
