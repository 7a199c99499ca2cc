package org.iterpref.generator.task;

/** Where a task came from, which decides how its prompt and tests were read. */
public enum TaskFormat {
    HUMANEVAL,
    MBPP,
    BIGCODEBENCH,
    ITERPREF
}
