package org.iterpref.generator.source.buginjection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import org.iterpref.generator.executor.TestRunner;
import org.iterpref.generator.source.Generation;
import org.iterpref.generator.source.GenerationContext;
import org.iterpref.generator.support.CompletedRuns;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.iterpref.generator.task.Task;
import org.iterpref.generator.task.TaskRepository;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A bug-injection trajectory's plan is chosen once and kept with the trajectory: another instance
 * (or this one after a restart) refines the same bugs without asking the executor again, whatever
 * it would answer by then.
 */
class MutationPlanKeptTest extends GeneratorIntegrationTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, MutationPlanKeptTest.class);
    }

    @Autowired
    PlanStore plans;
    @Autowired
    TaskRepository tasks;
    @Autowired
    JdbcClient jdbc;

    @Test
    void laterIterationsOnAnotherInstanceRefineTheKeptPlanWithoutPlanningAgain() {
        UUID trajectory = CompletedRuns.oneBugInjectionTrajectory(client(), jdbc, "kept", 11);
        UUID taskId = jdbc.sql("select task_id from trajectories where id = ?").param(trajectory)
                .query(UUID.class).single();
        Task task = tasks.findById(taskId).orElseThrow();
        List<String> stored = jdbc.sql("select code from iterations where trajectory_id = ? order by number")
                .param(trajectory).query(String.class).list();
        assertThat(plans.find(trajectory)).as("the plan is kept with the trajectory").isPresent();

        // another instance, whose executor would now answer differently: it must not be asked
        TestRunner changedExecutor = (t, code) -> {
            throw new AssertionError("the plan was chosen again");
        };
        BugInjectionSource elsewhere = new BugInjectionSource(changedExecutor, plans);
        for (int iteration = 0; iteration < stored.size(); iteration++) {
            Generation generation = elsewhere.generate(new GenerationContext(task, trajectory, 0, iteration,
                    12345L, null, null));
            assertThat(generation.code()).as("iteration %d", iteration).isEqualTo(stored.get(iteration));
        }
        MutationPlan kept = plans.find(trajectory).orElseThrow();
        assertThat(plans.keep(trajectory, new MutationPlan(List.of(kept.mutations().get(0)), "other")))
                .as("the first plan kept wins").isEqualTo(kept);
    }
}
