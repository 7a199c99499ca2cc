package org.iterpref.trainer.finetune;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Which pairs of a pair feed a job holds out for validation ({@code pairs.validation_split}). The
 * report's held-out preference accuracy is meant on tasks the model did not train on, and a task
 * sampled several times gives several pairs, so pairs that name their task are held out by whole
 * tasks: a seeded shuffle of the distinct task ids (in order of first appearance), then tasks are
 * held out in that order until at least {@code round(n × share)} pairs are (at least one task when
 * the share is above 0), always leaving one task to train on. A pair without a task id (an imported
 * pair) is a task of its own, so a feed without any task id is split pair by pair exactly as before
 * tasks were known: the first {@code round(n × share)} positions of a seeded shuffle, at least one
 * and at most {@code n - 1}.
 *
 * @param validation per pair, in feed order: held out
 * @param validationTasks distinct task ids held out; null when no pair named a task
 */
record ValidationSplit(boolean[] validation, Integer validationTasks) {

    /**
     * @param taskIds per pair in feed order, its task id or null
     * @param share the share to hold out, in [0, 0.5]
     * @param seed the job's seed
     */
    static ValidationSplit of(List<String> taskIds, double share, long seed) {
        int count = taskIds.size();
        Map<String, List<Integer>> byTask = new LinkedHashMap<>();
        List<List<Integer>> units = new ArrayList<>();
        List<Boolean> named = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String task = taskIds.get(i);
            List<Integer> unit = task == null ? null : byTask.get(task);
            if (unit == null) {
                unit = new ArrayList<>();
                units.add(unit);
                named.add(task != null);
                if (task != null) {
                    byTask.put(task, unit);
                }
            }
            unit.add(i);
        }
        List<Integer> order = new ArrayList<>(units.size());
        for (int u = 0; u < units.size(); u++) {
            order.add(u);
        }
        Collections.shuffle(order, new Random(seed));
        boolean[] validation = new boolean[count];
        int target = share <= 0 || units.size() < 2 ? 0 : (int) Math.max(1, Math.round(count * share));
        int held = 0;
        int heldTasks = 0;
        for (int k = 0; k < units.size() - 1 && held < target; k++) {
            int u = order.get(k);
            for (int i : units.get(u)) {
                validation[i] = true;
            }
            held += units.get(u).size();
            heldTasks += named.get(u) ? 1 : 0;
        }
        return new ValidationSplit(validation, byTask.isEmpty() ? null : heldTasks);
    }
}
