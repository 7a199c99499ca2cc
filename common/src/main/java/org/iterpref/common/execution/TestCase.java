package org.iterpref.common.execution;

/**
 * One test of a program. Exactly one style is set:
 * <ul>
 *   <li>assert-style: {@code code} runs after the solution, in its namespace (HumanEval
 *       {@code check(candidate)}, MBPP {@code assert} lists);</li>
 *   <li>stdin/stdout: the solution runs as a program fed {@code stdin}; its output must equal
 *       {@code expectedStdout}, ignoring trailing whitespace on each line;</li>
 *   <li>unittest: a {@code unittest.TestCase} class run in the solution's namespace; each test
 *       method gets its own result, named {@code Class.method} (BigCodeBench).</li>
 * </ul>
 */
public record TestCase(String name, String code, String stdin, String expectedStdout, String unittest) {

    public static TestCase assertion(String name, String code) {
        return new TestCase(name, code, null, null, null);
    }

    public static TestCase io(String name, String stdin, String expectedStdout) {
        return new TestCase(name, null, stdin, expectedStdout, null);
    }

    public static TestCase unittestSuite(String name, String unittest) {
        return new TestCase(name, null, null, null, unittest);
    }

    /** The style this test is written in, or empty when none or several styles are set. */
    public java.util.Optional<TestStyle> style() {
        int styles = (code != null ? 1 : 0) + (expectedStdout != null ? 1 : 0) + (unittest != null ? 1 : 0);
        if (styles != 1 || (stdin != null && expectedStdout == null)) {
            return java.util.Optional.empty();
        }
        if (code != null) {
            return java.util.Optional.of(TestStyle.ASSERT);
        }
        return java.util.Optional.of(expectedStdout != null ? TestStyle.STDIO : TestStyle.UNITTEST);
    }
}
