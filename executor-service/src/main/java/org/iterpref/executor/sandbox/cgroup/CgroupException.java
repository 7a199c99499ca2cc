package org.iterpref.executor.sandbox.cgroup;

/** A cgroup could not be created or configured. */
public class CgroupException extends RuntimeException {

    public CgroupException(String message) {
        super(message);
    }

    public CgroupException(String message, Throwable cause) {
        super(message, cause);
    }
}
