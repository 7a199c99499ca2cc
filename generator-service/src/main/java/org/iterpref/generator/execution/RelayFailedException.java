package org.iterpref.generator.execution;

import org.springframework.http.HttpStatus;

/**
 * The executor gave no answer a caller can use: unreachable (503), too slow (504), or an answer
 * that is an error of its own, not JSON, or too large (502). The message names the executor and
 * never carries the executor's body.
 */
public class RelayFailedException extends RuntimeException {

    private final HttpStatus status;

    RelayFailedException(HttpStatus status, String message) {
        super(message);
        this.status = status;
    }

    public HttpStatus status() {
        return status;
    }
}
