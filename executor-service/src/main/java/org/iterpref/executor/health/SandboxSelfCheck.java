package org.iterpref.executor.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.iterpref.common.execution.ExecutionRequest;
import org.iterpref.common.execution.ExecutionResult;
import org.iterpref.common.execution.TestCase;
import org.iterpref.common.execution.Verdict;
import org.iterpref.executor.execution.ExecutionRunner;
import org.iterpref.executor.runtime.ResolvedLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code print(1)} in the sandbox, straight through the runner (not the queue, so a full
 * queue does not make the service unready), and remembers the answer for a while.
 */
public final class SandboxSelfCheck {

    private static final Logger log = LoggerFactory.getLogger(SandboxSelfCheck.class);
    private static final ExecutionRequest PRINT_ONE = new ExecutionRequest("python", "print(1)\n",
            List.of(TestCase.io("self-check", "", "1\n")), null, false);
    private static final ResolvedLimits LIMITS = new ResolvedLimits(10_000, 256, 16, 4096, 4, 20_000);

    private final ExecutionRunner runner;
    private final Duration maxAge;
    private final Clock clock;
    private volatile Outcome last;

    public SandboxSelfCheck(ExecutionRunner runner, Duration maxAge, Clock clock) {
        this.runner = runner;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    public record Outcome(boolean healthy, String detail, Instant checkedAt, long durationMs) {
    }

    public Outcome current() {
        Outcome outcome = last;
        if (outcome == null || outcome.checkedAt().plus(maxAge).isBefore(clock.instant())) {
            outcome = check();
        }
        return outcome;
    }

    synchronized Outcome check() {
        Outcome recent = last;
        if (recent != null && !recent.checkedAt().plus(maxAge).isBefore(clock.instant())) {
            return recent;
        }
        long start = System.nanoTime();
        Outcome outcome;
        try {
            ExecutionResult result = runner.run("self-check-" + UUID.randomUUID(), PRINT_ONE, LIMITS);
            boolean ok = result.verdict() == Verdict.PASSED;
            outcome = new Outcome(ok, ok ? "print(1) ran in " + runner.backend() : result.feedback(),
                    clock.instant(), (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException e) {
            outcome = new Outcome(false, e.getMessage(), clock.instant(), (System.nanoTime() - start) / 1_000_000);
        }
        if (!outcome.healthy()) {
            log.warn("sandbox self-check failed: {}", outcome.detail());
        }
        last = outcome;
        return outcome;
    }
}
