package org.iterpref.trainer.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The held-out validation set of a pair-feed job: whole tasks when pairs name their task. */
class ValidationSplitTest {

    /** {@code tasks} tasks with {@code perTask} pairs each, interleaved as a generation run's feed is. */
    private static List<String> interleaved(int tasks, int perTask) {
        List<String> ids = new ArrayList<>();
        for (int sample = 0; sample < perTask; sample++) {
            for (int t = 0; t < tasks; t++) {
                ids.add("task-" + t);
            }
        }
        return ids;
    }

    private static Set<String> tasksOn(List<String> ids, boolean[] validation, boolean side) {
        Set<String> tasks = new HashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            if (validation[i] == side) {
                tasks.add(ids.get(i));
            }
        }
        return tasks;
    }

    private static int held(boolean[] validation) {
        int n = 0;
        for (boolean v : validation) {
            n += v ? 1 : 0;
        }
        return n;
    }

    @Test
    void givenSeveralPairsPerTask_whenSplit_thenNoTaskIsOnBothSidesAndAtLeastTheShareIsHeldOut() {
        for (long seed = 0; seed < 50; seed++) {
            List<String> ids = interleaved(10, 3);

            ValidationSplit split = ValidationSplit.of(ids, 0.2, seed);

            Set<String> validation = tasksOn(ids, split.validation(), true);
            Set<String> training = tasksOn(ids, split.validation(), false);
            assertThat(validation).as("seed " + seed).doesNotContainAnyElementsOf(training).isNotEmpty();
            assertThat(training).isNotEmpty();
            assertThat(held(split.validation())).isEqualTo(3 * validation.size()).isGreaterThanOrEqualTo(6);
            assertThat(split.validationTasks()).isEqualTo(validation.size()).isEqualTo(2);
        }
    }

    @Test
    void givenUnevenTasks_whenSplit_thenTasksAreHeldOutUntilTheShareIsReachedButOneTaskAlwaysTrains() {
        List<String> ids = new ArrayList<>(Collections.nCopies(5, "big"));
        ids.addAll(List.of("a", "b"));

        ValidationSplit tiny = ValidationSplit.of(ids, 0.01, 3);
        assertThat(tiny.validationTasks()).as("a share above 0 holds out at least one task").isEqualTo(1);

        ValidationSplit most = ValidationSplit.of(List.of("x", "x", "y", "y"), 0.5, 9);
        assertThat(most.validationTasks()).isEqualTo(1);
        assertThat(held(most.validation())).isEqualTo(2);

        ValidationSplit single = ValidationSplit.of(List.of("x", "x", "x"), 0.5, 1);
        assertThat(held(single.validation())).as("one task: nothing to hold out").isZero();
        assertThat(single.validationTasks()).isZero();
        assertThat(held(ValidationSplit.of(ids, 0, 1).validation())).isZero();
    }

    @Test
    void givenASeed_whenSplitTwice_thenTheSameTasksAreHeldOutAndAnotherSeedMayDiffer() {
        List<String> ids = interleaved(20, 2);
        Set<String> first = tasksOn(ids, ValidationSplit.of(ids, 0.25, 42).validation(), true);
        assertThat(tasksOn(ids, ValidationSplit.of(ids, 0.25, 42).validation(), true)).isEqualTo(first);
        Set<Set<String>> seen = new HashSet<>();
        for (long seed = 0; seed < 10; seed++) {
            seen.add(tasksOn(ids, ValidationSplit.of(ids, 0.25, seed).validation(), true));
        }
        assertThat(seen).hasSizeGreaterThan(1);
    }

    /** What the stage held out before tasks were known: a seeded shuffle of positions, the first round(n × share). */
    private static boolean[] pairSplitAsBefore(int count, double share, long seed) {
        int held = share <= 0 || count < 2 ? 0 : (int) Math.min(count - 1, Math.max(1, Math.round(count * share)));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        boolean[] validation = new boolean[count];
        order.subList(0, held).forEach(i -> validation[i] = true);
        return validation;
    }

    @Test
    void givenPairsWithoutTaskIds_whenSplit_thenPairsAreHeldOutOneByOneAsBefore() {
        for (int count : new int[] {0, 1, 2, 3, 7, 50}) {
            for (double share : new double[] {0, 0.05, 0.3, 0.5}) {
                for (long seed = 0; seed < 5; seed++) {
                    ValidationSplit split = ValidationSplit.of(Arrays.asList(new String[count]), share, seed);

                    assertThat(split.validation()).as(count + " pairs, share " + share + ", seed " + seed)
                            .isEqualTo(pairSplitAsBefore(count, share, seed));
                    assertThat(split.validationTasks()).isNull();
                }
            }
        }
    }
}
