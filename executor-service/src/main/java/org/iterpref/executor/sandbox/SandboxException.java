package org.iterpref.executor.sandbox;

/** The sandbox could not run the program (not the program's fault). */
public class SandboxException extends RuntimeException {

    public SandboxException(String message) {
        super(message);
    }

    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
