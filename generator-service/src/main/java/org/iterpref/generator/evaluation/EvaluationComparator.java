package org.iterpref.generator.evaluation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.iterpref.common.problem.InvalidRequestException;
import org.iterpref.generator.web.ConflictException;
import org.springframework.stereotype.Component;

/** Compares two finished evaluations of the same tasks, task by task. */
@Component
public class EvaluationComparator {

    static final double LEVEL = 0.95;
    static final int RESAMPLES = 10_000;
    static final int MIN_RESAMPLES = 500;
    /** Task draws per comparison at most: a large task set gets fewer resamples, never minutes of CPU. */
    static final long MAX_DRAWS = 20_000_000L;
    static final long SEED = 20_250_302L;

    private final EvaluationService evaluations;

    public EvaluationComparator(EvaluationService evaluations) {
        this.evaluations = evaluations;
    }

    public Comparison compare(UUID baseId, UUID candidateId, String metricParam) {
        String metric = metricParam == null || metricParam.isBlank() ? "pass@1" : metricParam;
        EvaluationResult base = evaluations.result(baseId);
        EvaluationResult candidate = evaluations.result(candidateId);
        if (!base.taskSet().equals(candidate.taskSet())) {
            throw InvalidRequestException.of("candidate", "evaluates task set '" + candidate.taskSet()
                    + "', the base evaluates '" + base.taskSet() + "': only evaluations of the same tasks compare");
        }
        Set<UUID> baseTasks = base.tasks().stream().map(TaskScore::taskId).collect(Collectors.toSet());
        Set<UUID> candidateTasks = candidate.tasks().stream().map(TaskScore::taskId).collect(Collectors.toSet());
        if (!baseTasks.equals(candidateTasks)) {
            throw InvalidRequestException.of("candidate", "evaluated other tasks of set '" + base.taskSet()
                    + "' than the base (the set changed between them): only evaluations of the same tasks compare");
        }
        if (!base.passAtK().containsKey(metric) || !candidate.passAtK().containsKey(metric)) {
            throw InvalidRequestException.of("metric", "'" + metric + "' is not reported by both evaluations (base: "
                    + base.passAtK().keySet() + ", candidate: " + candidate.passAtK().keySet() + ")");
        }
        requireCompleted(base, "base");
        requireCompleted(candidate, "candidate");
        Map<UUID, TaskScore> candidateById = new HashMap<>();
        candidate.tasks().forEach(t -> candidateById.put(t.taskId(), t));
        List<Comparison.TaskDelta> deltas = new ArrayList<>();
        List<String> fixed = new ArrayList<>();
        List<String> broken = new ArrayList<>();
        for (TaskScore b : base.tasks()) {
            TaskScore c = candidateById.get(b.taskId());
            double before = b.passAtK().get(metric);
            double after = c.passAtK().get(metric);
            deltas.add(new Comparison.TaskDelta(b.taskId(), b.externalId(), before, after, after - before));
            if (b.c() == 0 && c.c() > 0) {
                fixed.add(b.externalId());
            } else if (b.c() > 0 && c.c() == 0) {
                broken.add(b.externalId());
            }
        }
        double[] d = deltas.stream().mapToDouble(Comparison.TaskDelta::delta).toArray();
        double baseValue = base.passAtK().get(metric);
        double candidateValue = candidate.passAtK().get(metric);
        return new Comparison(baseId, candidateId, base.taskSet(), metric, baseValue, candidateValue,
                candidateValue - baseValue, PairedBootstrap.interval(d, LEVEL, resamples(d.length), SEED), fixed, broken, deltas);
    }

    /** 10,000 resamples, fewer (at least 500) when the tasks are so many that they would cost more draws than the cap. */
    static int resamples(int tasks) {
        return (int) Math.max(MIN_RESAMPLES, Math.min(RESAMPLES, MAX_DRAWS / Math.max(1, tasks)));
    }

    private static void requireCompleted(EvaluationResult e, String role) {
        if (e.status() != EvaluationStatus.COMPLETED) {
            throw new ConflictException("the " + role + " evaluation " + e.id() + " is " + e.status()
                    + ": only COMPLETED evaluations compare");
        }
    }
}
