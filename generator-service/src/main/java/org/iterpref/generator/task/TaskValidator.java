package org.iterpref.generator.task;

import java.util.ArrayList;
import java.util.List;
import org.iterpref.common.execution.ExecutionRequest;
import org.iterpref.common.execution.ExecutionResult;
import org.iterpref.common.execution.Verdict;
import org.iterpref.generator.executor.ExecutorClient;
import org.iterpref.generator.executor.ExecutorUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * A task is VALID when its reference solution passes its own tests in the executor, INVALID (with
 * the reason) when it does not. Tasks without a reference are accepted as they are. When the
 * executor cannot be reached the tasks stay PENDING with that reason, to be validated again.
 */
@Component
public class TaskValidator {

    private static final Logger log = LoggerFactory.getLogger(TaskValidator.class);
    static final int BATCH = 64;
    private static final int MAX_REASON_CHARS = 2000;

    private final ExecutorClient executor;
    private final TaskRepository tasks;

    public TaskValidator(ExecutorClient executor, TaskRepository tasks) {
        this.executor = executor;
        this.tasks = tasks;
    }

    /** Validates and stores the outcome of each task; returns the tasks with their new status. */
    public List<Task> validate(List<Task> batch) {
        List<Task> checked = new ArrayList<>();
        for (int from = 0; from < batch.size(); from += BATCH) {
            checked.addAll(validateChunk(batch.subList(from, Math.min(batch.size(), from + BATCH))));
        }
        return checked;
    }

    private List<Task> validateChunk(List<Task> chunk) {
        List<Task> withReference = chunk.stream().filter(t -> t.referenceSolution() != null).toList();
        List<ExecutionResult> results;
        try {
            List<ExecutionRequest> requests = withReference.stream()
                    .map(t -> ExecutorClient.request(t, t.referenceSolution())).toList();
            results = requests.isEmpty() ? List.of() : executor.runAll(requests);
        } catch (ExecutorUnavailableException e) {
            log.warn("cannot validate {} task(s) now: {}", withReference.size(), e.getMessage());
            withReference.forEach(t -> tasks.updateStatus(t.id(), TaskStatus.PENDING,
                    "not validated yet: executor unavailable (" + e.getMessage() + ")"));
            results = null;
        }
        List<Task> out = new ArrayList<>();
        for (Task task : chunk) {
            int index = withReference.indexOf(task);
            if (index < 0) {
                out.add(store(task, TaskStatus.VALID, "no reference solution: accepted without validation"));
            } else if (results == null) {
                out.add(with(task, TaskStatus.PENDING, "not validated yet: executor unavailable"));
            } else {
                out.add(judge(task, results.get(index)));
            }
        }
        return out;
    }

    private Task judge(Task task, ExecutionResult result) {
        if (result.verdict() == Verdict.PASSED) {
            return store(task, TaskStatus.VALID, null);
        }
        if (result.verdict() == Verdict.SANDBOX_ERROR) {
            return store(task, TaskStatus.PENDING, "not validated yet: sandbox error");
        }
        String reason = "reference solution " + result.verdict() + " (" + result.passed() + "/" + result.total()
                + " tests passed): " + result.feedback();
        return store(task, TaskStatus.INVALID, reason.length() > MAX_REASON_CHARS
                ? reason.substring(0, MAX_REASON_CHARS) + "..." : reason);
    }

    private Task store(Task task, TaskStatus status, String reason) {
        tasks.updateStatus(task.id(), status, reason);
        return with(task, status, reason);
    }

    private static Task with(Task t, TaskStatus status, String reason) {
        return new Task(t.id(), t.taskSet(), t.externalId(), t.format(), t.language(), t.prompt(), t.entryPoint(),
                t.referenceSolution(), t.tests(), status, reason, t.metadata(), t.createdAt());
    }
}
