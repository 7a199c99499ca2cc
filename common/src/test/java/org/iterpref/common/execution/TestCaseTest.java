package org.iterpref.common.execution;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TestCaseTest {

    @Test
    void exactlyOneStyleIsRecognised() {
        assertThat(TestCase.assertion("a", "assert True").style()).contains(TestStyle.ASSERT);
        assertThat(TestCase.io("b", "1\n", "1\n").style()).contains(TestStyle.STDIO);
        assertThat(new TestCase("c", null, null, "", null).style()).contains(TestStyle.STDIO);
        assertThat(TestCase.unittestSuite("d", "import unittest").style()).contains(TestStyle.UNITTEST);
    }

    @Test
    void noStyleSeveralStylesOrStdinWithoutExpectedOutputAreRejected() {
        assertThat(new TestCase("a", null, null, null, null).style()).isEmpty();
        assertThat(new TestCase("a", "pass", null, "1", null).style()).isEmpty();
        assertThat(new TestCase("a", "pass", null, null, "import unittest").style()).isEmpty();
        assertThat(new TestCase("a", "pass", "1 2", null, null).style()).isEmpty();
    }

    @Test
    void limitsFallBackFieldByField() {
        ExecutionLimits merged = new ExecutionLimits(100, null, 3, null)
                .orElse(new ExecutionLimits(1, 2, 4, 5));
        assertThat(merged).isEqualTo(new ExecutionLimits(100, 2, 3, 5));
    }
}
