package org.iterpref.generator.source.buginjection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.iterpref.generator.source.Generation;
import org.iterpref.generator.source.GenerationContext;
import org.iterpref.generator.task.Task;
import org.iterpref.generator.task.TaskFormat;
import org.iterpref.generator.task.TaskStatus;
import org.junit.jupiter.api.Test;

class BugInjectionSourceTest {

    private final PythonTestRunner runner = new PythonTestRunner();
    private final BugInjectionSource source = new BugInjectionSource(runner);

    private static GenerationContext context(Task task, long seed, int iteration) {
        return new GenerationContext(task, UUID.randomUUID(), 0, iteration, seed, null, null);
    }

    @Test
    void isSyntheticAndNamedBugInjection() {
        assertThat(source.synthetic()).isTrue();
        assertThat(source.model()).isEqualTo("bug-injection");
    }

    @Test
    void eachRefinementUndoesOneBugUntilTheReferencePasses() {
        Task task = Tasks.scoreTask();
        for (long seed = 1; seed <= 4; seed++) {
            MutationPlan plan = new MutationPlanner(runner).plan(task, seed, 0);
            List<Mutation> mutations = plan.mutations();
            assertThat(mutations).hasSizeBetween(1, 3);
            String previous = null;
            for (int iteration = 0; iteration <= mutations.size(); iteration++) {
                Generation generation = source.generate(context(task, seed, iteration));
                String expected = MutationApplier.apply(Tasks.SCORE, mutations.subList(iteration, mutations.size()));
                assertThat(generation.code()).isEqualTo(expected).isEqualTo(generation.rawOutput());
                assertThat(generation.model()).isEqualTo("bug-injection");
                assertThat(generation.promptTokens()).isNull();
                assertThat(generation.completionTokens()).isNull();
                boolean last = iteration == mutations.size();
                assertThat(runner.run(task, generation.code()).verdict().passed()).as("iteration %d", iteration)
                        .isEqualTo(last);
                assertThat(generation.code()).isNotEqualTo(previous);
                previous = generation.code();
            }
            assertThat(previous).isEqualTo(Tasks.SCORE);
            assertThat(source.generate(context(task, seed, mutations.size() + 2)).code()).isEqualTo(Tasks.SCORE);
        }
    }

    @Test
    void promptsSayItIsSyntheticAndWhatWasInjectedOrUndone() {
        Task task = Tasks.scoreTask();
        MutationPlan plan = new MutationPlanner(runner).plan(task, 7, 0);
        String first = source.generate(context(task, 7, 0)).prompt();
        assertThat(first).contains("Synthetic", "bug injection", "seed 7");
        plan.mutations().forEach(m -> assertThat(first).contains(m.description()));
        String second = source.generate(context(task, 7, 1)).prompt();
        assertThat(second).contains("Synthetic", "seed 7", "undid the injected bug (" + plan.mutations().get(0).description() + ")");
        String last = source.generate(context(task, 7, plan.mutations().size())).prompt();
        assertThat(last).contains("reference solution");
    }

    @Test
    void sameSeedGivesTheSamePlanAndDifferentSeedsDifferentOnes() {
        Task task = Tasks.scoreTask();
        MutationPlan once = new MutationPlanner(runner).plan(task, 42, 3);
        MutationPlan again = new MutationPlanner(new PythonTestRunner()).plan(task, 42, 3);
        assertThat(again).isEqualTo(once);
        assertThat(new BugInjectionSource(new PythonTestRunner()).generate(context(task, 42, 0)).code())
                .isEqualTo(new BugInjectionSource(new PythonTestRunner()).generate(context(task, 42, 0)).code());
        Set<List<Mutation>> plans = new HashSet<>();
        MutationPlanner planner = new MutationPlanner(runner);
        for (long seed = 0; seed < 8; seed++) {
            plans.add(planner.plan(task, seed, 0).mutations());
        }
        assertThat(plans).hasSizeGreaterThanOrEqualTo(4);
    }

    @Test
    void mutantsAreNonOverlappingAndDetectedByTheTests() {
        Task task = Tasks.scoreTask();
        MutationPlanner planner = new MutationPlanner(runner);
        Set<MutationKind> kinds = new HashSet<>();
        for (long seed = 0; seed < 12; seed++) {
            MutationPlan plan = planner.plan(task, seed, 1);
            List<Mutation> mutations = plan.mutations();
            for (int i = 0; i < mutations.size(); i++) {
                for (int j = i + 1; j < mutations.size(); j++) {
                    assertThat(mutations.get(i).overlaps(mutations.get(j))).isFalse();
                }
            }
            assertThat(plan.mutantCode()).isEqualTo(MutationApplier.apply(Tasks.SCORE, mutations));
            assertThat(runner.run(task, plan.mutantCode()).verdict().passed()).isFalse();
            mutations.forEach(m -> kinds.add(m.kind()));
        }
        assertThat(kinds).hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void missingReferenceIsRejected() {
        Task none = Tasks.task(null, "assert True");
        Task blank = Tasks.task("  \n", "assert True");
        assertThatThrownBy(() -> source.generate(context(none, 1, 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reference solution");
        assertThatThrownBy(() -> source.generate(context(blank, 1, 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reference solution");
        Task javaTask = new Task(UUID.randomUUID(), "set", "ext-2", TaskFormat.ITERPREF, "java", "prompt", "entry",
                "class A {}", List.of(), TaskStatus.VALID, null, Map.of(), Instant.now());
        assertThatThrownBy(() -> source.generate(context(javaTask, 1, 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Python");
        assertThat(runner.runs()).isZero();
    }
}
