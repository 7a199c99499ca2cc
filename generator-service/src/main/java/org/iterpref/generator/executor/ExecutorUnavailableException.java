package org.iterpref.generator.executor;

/** The executor cannot run code now (unreachable, overloaded, circuit open, sandbox error). */
public class ExecutorUnavailableException extends RuntimeException {

    public ExecutorUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public ExecutorUnavailableException(String message) {
        super(message);
    }
}
