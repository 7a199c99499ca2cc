package org.iterpref.generator.source.buginjection;

/**
 * No mutant of a task's reference solution fails the task's tests (or the reference offers no place
 * to plant a bug): the tests cannot detect injected bugs, so the task cannot give a bug-injection
 * trajectory. Retrying does not help; the task should be skipped or its tests strengthened.
 */
public class NoFailingMutantException extends RuntimeException {

    public NoFailingMutantException(String message) {
        super(message);
    }
}
