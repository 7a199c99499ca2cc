package org.iterpref.generator.source.buginjection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.iterpref.common.execution.ExecutionResult;
import org.iterpref.common.execution.Verdict;
import org.iterpref.generator.executor.ExecutorUnavailableException;
import org.iterpref.generator.executor.TestRunner;
import org.iterpref.generator.source.GenerationContext;
import org.iterpref.generator.task.Task;
import org.junit.jupiter.api.Test;

class MutationPlannerTest {

    private final PythonTestRunner python = new PythonTestRunner();

    private static ExecutionResult result(Verdict verdict, String feedback) {
        return new ExecutionResult("x", "python", "fake", verdict, 0, 1, 0, 0L, List.of(), feedback);
    }

    @Test
    void tasksWhoseTestsCatchNothingGetAClearException() {
        Task weak = Tasks.task(Tasks.SCORE, "assert callable(weighted_score)");
        MutationPlanner planner = new MutationPlanner(python);
        assertThatThrownBy(() -> planner.plan(weak, 1, 0))
                .isInstanceOf(NoFailingMutantException.class)
                .hasMessageContaining("cannot detect injected bugs")
                .hasMessageContaining(weak.id().toString());
        assertThat(python.runs()).as("bounded attempts").isLessThanOrEqualTo(3 * MutationPlanner.DEFAULT_ATTEMPTS_PER_SIZE);
    }

    @Test
    void aReferenceWithoutMutationSitesGetsAClearException() {
        Task task = Tasks.task("def f():\n    pass\n", "assert f() is None");
        assertThatThrownBy(() -> new MutationPlanner(python).plan(task, 1, 0))
                .isInstanceOf(NoFailingMutantException.class)
                .hasMessageContaining("no mutation site");
    }

    @Test
    void mutantsThatDoNotCompileAreRejected() {
        AtomicInteger calls = new AtomicInteger();
        TestRunner rejectsFirstTwo = (task, code) -> calls.incrementAndGet() <= 2
                ? result(Verdict.ERROR, "The code does not compile:\nSyntaxError")
                : python.run(task, code);
        MutationPlan plan = new MutationPlanner(rejectsFirstTwo).plan(Tasks.scoreTask(), 5, 0);
        assertThat(python.run(Tasks.scoreTask(), plan.mutantCode()).verdict().passed()).isFalse();
        TestRunner neverCompiles = (task, code) -> result(Verdict.ERROR, "The code does not compile:\nSyntaxError");
        assertThatThrownBy(() -> new MutationPlanner(neverCompiles).plan(Tasks.scoreTask(), 5, 0))
                .isInstanceOf(NoFailingMutantException.class);
    }

    @Test
    void executorUnavailabilityPropagatesAndIsNotCached() {
        Task task = Tasks.scoreTask();
        AtomicInteger calls = new AtomicInteger();
        TestRunner flaky = (t, code) -> {
            if (calls.incrementAndGet() == 1) {
                throw new ExecutorUnavailableException("executor down");
            }
            return python.run(t, code);
        };
        MutationPlanner planner = new MutationPlanner(flaky);
        BugInjectionSource source = new BugInjectionSource(planner);
        var context = new GenerationContext(task, null, 0, 0, 9, null, null);
        assertThatThrownBy(() -> source.generate(context))
                .isInstanceOf(ExecutorUnavailableException.class).hasMessage("executor down");
        assertThat(planner.cachedPlans()).isZero();
        assertThat(source.generate(context).code()).isEqualTo(new MutationPlanner(python).plan(task, 9, 0).mutantCode());
        assertThat(planner.cachedPlans()).isOne();
    }

    @Test
    void sandboxErrorsAreExecutorUnavailability() {
        TestRunner sandboxError = (task, code) -> result(Verdict.SANDBOX_ERROR, "container died");
        assertThatThrownBy(() -> new MutationPlanner(sandboxError).plan(Tasks.scoreTask(), 1, 0))
                .isInstanceOf(ExecutorUnavailableException.class).hasMessageContaining("container died");
    }

    @Test
    void plansAreCachedInABoundedLru() {
        Task task = Tasks.scoreTask();
        MutationPlanner planner = new MutationPlanner(python, 2, MutationPlanner.DEFAULT_ATTEMPTS_PER_SIZE);
        MutationPlan first = planner.plan(task, 1, 0);
        int runs = python.runs();
        assertThat(planner.plan(task, 1, 0)).isSameAs(first);
        assertThat(python.runs()).isEqualTo(runs);
        planner.plan(task, 2, 0);
        planner.plan(task, 3, 0);
        assertThat(planner.cachedPlans()).isEqualTo(2);
        runs = python.runs();
        assertThat(planner.plan(task, 1, 0)).isEqualTo(first).isNotSameAs(first);
        assertThat(python.runs()).as("evicted, so planned again").isGreaterThan(runs);
    }

    @Test
    void theSeedIsMixedWithTaskAndSample() {
        UUID id = UUID.randomUUID();
        assertThat(MutationPlanner.mix(1, id, 0)).isEqualTo(MutationPlanner.mix(1, id, 0))
                .isNotEqualTo(MutationPlanner.mix(1, id, 1))
                .isNotEqualTo(MutationPlanner.mix(2, id, 0))
                .isNotEqualTo(MutationPlanner.mix(1, UUID.randomUUID(), 0));
    }
}
