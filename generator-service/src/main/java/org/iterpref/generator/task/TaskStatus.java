package org.iterpref.generator.task;

/**
 * VALID: the reference solution passes the task's tests in the executor (or the task has no
 * reference and was accepted as is); INVALID: it does not, with the reason stored; PENDING: not
 * checked yet.
 */
public enum TaskStatus {
    PENDING,
    VALID,
    INVALID
}
