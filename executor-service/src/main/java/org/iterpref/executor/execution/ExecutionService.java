package org.iterpref.executor.execution;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.iterpref.common.execution.BatchExecutionRequest;
import org.iterpref.common.execution.BatchExecutionResult;
import org.iterpref.common.execution.ExecutionRequest;
import org.iterpref.common.execution.ExecutionResult;
import org.iterpref.executor.runtime.ResolvedLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Validates executions, admits them to the queue and runs them; every log line carries the execution id. */
public final class ExecutionService {

    private static final Logger log = LoggerFactory.getLogger(ExecutionService.class);

    private final ExecutionRequestValidator validator;
    private final ExecutionRunner runner;
    private final ExecutionQueue queue;
    private final ExecutionMetrics metrics;

    public ExecutionService(ExecutionRequestValidator validator, ExecutionRunner runner, ExecutionQueue queue,
                            ExecutionMetrics metrics) {
        this.validator = validator;
        this.runner = runner;
        this.queue = queue;
        this.metrics = metrics;
    }

    public CompletableFuture<ExecutionResult> execute(ExecutionRequest request) {
        ResolvedLimits limits = validator.validate(request);
        return queue.submitAll(List.of(task(request, limits))).get(0);
    }

    public CompletableFuture<BatchExecutionResult> executeBatch(BatchExecutionRequest batch) {
        List<ResolvedLimits> limits = validator.validate(batch);
        List<Supplier<ExecutionResult>> tasks = new ArrayList<>();
        for (int i = 0; i < limits.size(); i++) {
            tasks.add(task(batch.executions().get(i), limits.get(i)));
        }
        List<CompletableFuture<ExecutionResult>> futures = queue.submitAll(tasks);
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> new BatchExecutionResult(futures.stream().map(CompletableFuture::join).toList()));
    }

    private Supplier<ExecutionResult> task(ExecutionRequest request, ResolvedLimits limits) {
        String id = UUID.randomUUID().toString();
        return () -> {
            MDC.put("executionId", id);
            try {
                log.debug("running {} test(s) in {}", request.tests().size(), runner.backend());
                ExecutionResult result = runner.run(id, request, limits);
                metrics.record(result);
                log.info("verdict {} ({}/{} passed) in {} ms", result.verdict(), result.passed(), result.total(),
                        result.wallTimeMs());
                return result;
            } finally {
                MDC.remove("executionId");
            }
        };
    }
}
