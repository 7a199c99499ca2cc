package org.iterpref.generator.source.buginjection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.iterpref.common.execution.ExecutionResult;
import org.iterpref.common.execution.TestCase;
import org.iterpref.common.execution.Verdict;
import org.iterpref.generator.executor.TestRunner;
import org.iterpref.generator.task.Task;

/**
 * A test double of the executor that really runs the code: {@code /usr/bin/python3} executes the
 * solution and then the task's assert tests in one namespace. Exit code 0 is PASSED, anything else
 * FAILED; code that does not compile is an ERROR whose feedback says "does not compile", as the
 * executor's does.
 */
final class PythonTestRunner implements TestRunner {

    static final String PYTHON = "/usr/bin/python3";

    private static final String HARNESS = String.join("\n",
            "import sys",
            "source = open(sys.argv[1]).read()",
            "try:",
            "    program = compile(source, 'solution.py', 'exec')",
            "except SyntaxError as e:",
            "    print('The code does not compile:', e)",
            "    sys.exit(3)",
            "namespace = {'__name__': '__main__'}",
            "exec(program, namespace)",
            "exec(compile(open(sys.argv[2]).read(), 'tests.py', 'exec'), namespace)");

    private final AtomicInteger runs = new AtomicInteger();

    int runs() {
        return runs.get();
    }

    @Override
    public ExecutionResult run(Task task, String code) {
        runs.incrementAndGet();
        try {
            Path dir = Files.createTempDirectory("bug-injection-test");
            try {
                return execute(dir, code, task.tests());
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path file : files.toList()) {
                        Files.deleteIfExists(file);
                    }
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static ExecutionResult execute(Path dir, String code, List<TestCase> tests)
            throws IOException, InterruptedException {
        Path solution = Files.writeString(dir.resolve("solution.py"), code);
        Path testFile = Files.writeString(dir.resolve("tests.py"),
                tests.stream().map(TestCase::code).collect(Collectors.joining("\n")) + "\n");
        Path output = dir.resolve("output.txt");
        Process process = new ProcessBuilder(PYTHON, "-c", HARNESS, solution.toString(), testFile.toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            return result(Verdict.TIMEOUT, tests.size(), "timed out");
        }
        String feedback = Files.readString(output, StandardCharsets.UTF_8);
        return switch (process.exitValue()) {
            case 0 -> result(Verdict.PASSED, tests.size(), "");
            case 3 -> result(Verdict.ERROR, tests.size(), feedback);
            default -> result(Verdict.FAILED, tests.size(), feedback);
        };
    }

    private static ExecutionResult result(Verdict verdict, int total, String feedback) {
        int passed = verdict.passed() ? total : 0;
        return new ExecutionResult("fake", "python", "python3-subprocess", verdict, passed, total, 0, 0L,
                List.of(), feedback);
    }
}
