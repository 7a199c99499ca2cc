package org.iterpref.common.execution;

/** How a {@link TestCase} checks a program. */
public enum TestStyle {
    ASSERT,
    STDIO,
    UNITTEST
}
