package org.iterpref.generator.web;

/** The request conflicts with stored state (409), e.g. deleting a task trajectories use. */
public class ConflictException extends RuntimeException {

    public ConflictException(String message) {
        super(message);
    }
}
