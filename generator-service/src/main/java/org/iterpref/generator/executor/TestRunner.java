package org.iterpref.generator.executor;

import org.iterpref.common.execution.ExecutionResult;
import org.iterpref.generator.task.Task;

/** Runs code against a task's tests (in the executor-service). */
public interface TestRunner {

    /**
     * @throws ExecutorUnavailableException when the executor cannot be reached or answers with a
     *                                      sandbox error after retries (the caller retries later)
     */
    ExecutionResult run(Task task, String code);

    /**
     * A cheaper pass/fail check (e.g. of a candidate mutant): may stop at the first failing test
     * and use a shorter time limit. Only the verdict is meaningful.
     */
    default ExecutionResult check(Task task, String code) {
        return run(task, code);
    }
}
