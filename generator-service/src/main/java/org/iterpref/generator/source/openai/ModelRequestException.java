package org.iterpref.generator.source.openai;

/**
 * The model server rejected the request in a way retrying will not fix: a 4xx other than 408/429
 * (unknown model, bad parameters, invalid API key) or a 2xx answer that is not a chat completion.
 * The message carries the server's own error message. The job should fail, not be retried.
 */
public class ModelRequestException extends RuntimeException {

    private final int statusCode;

    public ModelRequestException(int statusCode, String message) {
        super(message);
        this.statusCode = statusCode;
    }

    /** The HTTP status of the answer. */
    public int statusCode() {
        return statusCode;
    }
}
