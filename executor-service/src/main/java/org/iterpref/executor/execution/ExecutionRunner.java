package org.iterpref.executor.execution;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.iterpref.common.execution.ExecutionRequest;
import org.iterpref.common.execution.ExecutionResult;
import org.iterpref.common.execution.TestResult;
import org.iterpref.common.execution.Verdict;
import org.iterpref.executor.runtime.LanguageRuntime;
import org.iterpref.executor.runtime.ResolvedLimits;
import org.iterpref.executor.runtime.RuntimeRegistry;
import org.iterpref.executor.sandbox.Sandbox;
import org.iterpref.executor.sandbox.SandboxException;
import org.iterpref.executor.sandbox.SandboxInvocation;
import org.iterpref.executor.sandbox.SandboxOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs one execution in the sandbox and turns the harness's events into a result. When a
 * test kills the harness itself (its parent), that test gets ERROR and the remaining tests
 * run in a fresh sandbox, so one hostile test cannot take the others' verdicts with it.
 */
public final class ExecutionRunner {

    private static final Logger log = LoggerFactory.getLogger(ExecutionRunner.class);
    static final int MAX_ATTEMPTS = 3;
    private static final long MAX_PROTOCOL_BYTES = 64L * 1024 * 1024;

    private final Sandbox sandbox;
    private final RuntimeRegistry runtimes;
    private final JsonMapper json;
    private final FeedbackWriter feedback = new FeedbackWriter();

    public ExecutionRunner(Sandbox sandbox, RuntimeRegistry runtimes, JsonMapper json) {
        this.sandbox = sandbox;
        this.runtimes = runtimes;
        this.json = json;
    }

    public String backend() {
        return sandbox.name();
    }

    public ExecutionResult run(String id, ExecutionRequest request, ResolvedLimits limits) {
        long started = System.nanoTime();
        LanguageRuntime runtime = runtimes.find(request.language()).orElseThrow();
        EventLog events = new EventLog();
        for (int attempt = 1; attempt <= MAX_ATTEMPTS && !events.finished(); attempt++) {
            Map<String, Object> spec = HarnessSpec.of(request, limits, sandbox, events.reportedNames()).toMap();
            SandboxOutput output;
            try {
                output = sandbox.run(new SandboxInvocation(id, runtime, spec, limits, protocolCap(request, limits)));
            } catch (SandboxException e) {
                log.warn("sandbox failed: {}", e.getMessage());
                events.sandboxFailed("The sandbox failed: " + e.getMessage());
                break;
            }
            events.read(parse(output.stdout()));
            if (!events.finished()) {
                events.interrupted(output, attempt == MAX_ATTEMPTS, limits);
            }
        }
        long wallMs = (System.nanoTime() - started) / 1_000_000;
        return result(id, request, events, wallMs);
    }

    private ExecutionResult result(String id, ExecutionRequest request, EventLog events, long wallMs) {
        List<TestResult> tests = events.results(request);
        int total = events.unitNames().isEmpty() ? request.tests().size() : events.unitNames().size();
        int passed = (int) tests.stream().filter(t -> t.verdict().passed()).count();
        Verdict verdict = overall(tests, events);
        String text = feedback.write(tests, total, events.setupMessage());
        return new ExecutionResult(id, request.language(), sandbox.name(), verdict, passed, total,
                events.skipped().size(), wallMs, tests, text);
    }

    private static Verdict overall(List<TestResult> tests, EventLog events) {
        if (tests.stream().anyMatch(t -> t.verdict() == Verdict.SANDBOX_ERROR)) {
            return Verdict.SANDBOX_ERROR;
        }
        return tests.stream().map(TestResult::verdict).filter(v -> v != Verdict.PASSED).findFirst()
                .orElse(events.skipped().isEmpty() ? Verdict.PASSED : Verdict.FAILED);
    }

    /** Room for every test's capped stdout and stderr, JSON-escaped, and its message. */
    private static int protocolCap(ExecutionRequest request, ResolvedLimits limits) {
        long perTest = 2L * limits.maxOutputBytes() * 6 + 64 * 1024;
        long units = request.tests().size() + 16L;
        return (int) Math.min(MAX_PROTOCOL_BYTES, perTest * units);
    }

    private List<HarnessEvent> parse(byte[] stdout) {
        List<HarnessEvent> parsed = new ArrayList<>();
        String text = new String(stdout, StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                parsed.add(json.readValue(line, HarnessEvent.class));
            } catch (RuntimeException e) {
                log.debug("ignoring unreadable harness line ({} chars)", line.length());
            }
        }
        return parsed;
    }

    /** What the harness reported across attempts. */
    private static final class EventLog {
        private final Map<String, TestResult> results = new LinkedHashMap<>();
        private final List<String> unitNames = new ArrayList<>();
        private final List<String> skipped = new ArrayList<>();
        private String setupMessage;
        private Verdict setupVerdict;
        private boolean done;
        private boolean ready;
        private String inProgress;

        void read(List<HarnessEvent> events) {
            ready = false;
            inProgress = null;
            for (HarnessEvent e : events) {
                switch (e.event() == null ? "" : e.event()) {
                    case "ready" -> ready = true;
                    case "units" -> {
                        if (unitNames.isEmpty() && e.names() != null) {
                            unitNames.addAll(e.names());
                        }
                    }
                    case "setupError" -> setup(verdictOf(e.verdict()), e.message());
                    case "start" -> inProgress = e.name();
                    case "result" -> {
                        results.put(e.name(), new TestResult(e.name(), verdictOf(e.verdict()), e.timeMs(),
                                e.cpuTimeMs(), e.peakMemoryKb(), e.exitCode(), nz(e.stdout()), nz(e.stderr()),
                                e.message(), e.suspicious()));
                        inProgress = null;
                    }
                    case "done" -> {
                        done = true;
                        if (e.skipped() != null) {
                            skipped.addAll(e.skipped());
                        }
                    }
                    default -> { }
                }
            }
        }

        /** The harness ended without "done": decide who is to blame and whether to go on. */
        void interrupted(SandboxOutput output, boolean lastAttempt, ResolvedLimits limits) {
            if (output.deadlineExceeded()) {
                String message = "Execution deadline exceeded (" + limits.totalWallTimeMs() + " ms in all).";
                if (inProgress != null) {
                    results.put(inProgress, TestResult.notRun(inProgress, Verdict.TIMEOUT, message));
                }
                if (unitNames.isEmpty()) {
                    setup(Verdict.TIMEOUT, message);
                }
                finishRemaining(Verdict.TIMEOUT, "Not run: " + message);
                return;
            }
            if (output.memoryLimitExceeded()) {
                outOfMemory(lastAttempt, limits);
                return;
            }
            if (!ready) {
                String detail = output.stderr().isBlank() ? "exit code " + output.exitCode() : output.stderr().strip();
                sandboxFailed("The sandbox could not start the program: " + FeedbackWriter.clip(detail, 500));
                return;
            }
            String how = output.exitCode() >= 128 ? "signal " + (output.exitCode() - 128)
                    : "exit code " + output.exitCode();
            if (unitNames.isEmpty()) {
                setup(Verdict.ERROR, "The code terminated the test harness while loading (" + how + ").");
                return;
            }
            if (inProgress != null) {
                results.put(inProgress, TestResult.notRun(inProgress, Verdict.ERROR,
                        "The test terminated the test harness (" + how + "), e.g. by killing its parent process."));
            }
            // the harness ends without "done" when a test killed its spawner: it reported that
            // test itself (inProgress is null) and the rest run in a fresh sandbox
            if (lastAttempt) {
                finishRemaining(Verdict.ERROR, "Not run: the test harness was terminated (" + how + ").");
            }
        }

        /** The sandbox's memory limit was hit and the kernel killed the harness: the running code is to blame. */
        private void outOfMemory(boolean lastAttempt, ResolvedLimits limits) {
            String what = "the sandbox ran out of memory (" + limits.memoryMb()
                    + " MB limit) and the kernel killed the test harness";
            if (unitNames.isEmpty()) {
                setup(Verdict.MEMORY_LIMIT, "While loading the code, " + what + ".");
                return;
            }
            if (inProgress != null) {
                results.put(inProgress, TestResult.notRun(inProgress, Verdict.MEMORY_LIMIT,
                        "During this test, " + what + "."));
            }
            if (lastAttempt || inProgress == null) {
                finishRemaining(Verdict.ERROR, "Not run: " + what + ".");
            }
        }

        void sandboxFailed(String message) {
            setup(Verdict.SANDBOX_ERROR, message);
        }

        private void setup(Verdict verdict, String message) {
            setupVerdict = verdict;
            setupMessage = message;
            done = true;
        }

        private void finishRemaining(Verdict verdict, String message) {
            for (String name : unitNames) {
                results.putIfAbsent(name, TestResult.notRun(name, verdict, message));
            }
            done = true;
        }

        boolean finished() {
            return done;
        }

        List<String> reportedNames() {
            return List.copyOf(results.keySet());
        }

        List<String> unitNames() {
            return unitNames;
        }

        List<String> skipped() {
            return skipped;
        }

        /** The setup failure that no test got to report on its own, if any. */
        String setupMessage() {
            return results.isEmpty() ? setupMessage : null;
        }

        List<TestResult> results(ExecutionRequest request) {
            List<String> names = unitNames.isEmpty()
                    ? request.tests().stream().map(t -> t.name()).toList() : unitNames;
            List<TestResult> ordered = new ArrayList<>();
            for (String name : names) {
                TestResult r = results.get(name);
                if (r == null && setupVerdict != null) {
                    r = TestResult.notRun(name, setupVerdict, setupMessage);
                }
                if (r != null) {
                    ordered.add(r);
                }
            }
            return ordered;
        }

        private static Verdict verdictOf(String v) {
            try {
                return v == null ? Verdict.ERROR : Verdict.valueOf(v);
            } catch (IllegalArgumentException e) {
                return Verdict.ERROR;
            }
        }

        private static String nz(String s) {
            return s == null ? "" : s;
        }
    }
}
