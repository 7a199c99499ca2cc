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
}
