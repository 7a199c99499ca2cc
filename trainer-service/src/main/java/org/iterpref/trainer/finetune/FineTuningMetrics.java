package org.iterpref.trainer.finetune;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Fine-tuning in Micrometer (Prometheus names in brackets): the latest step metrics of each job
 * running here as gauges tagged {@code job} — {@code trainer.finetune.loss} [trainer_finetune_loss],
 * {@code .nll_loss}, {@code .rewards.accuracies}, {@code .rewards.margins}, {@code .rewards.chosen},
 * {@code .rewards.rejected}, {@code .grad_norm}, {@code .learning_rate}, {@code .tokens_per_second},
 * {@code .epoch}, {@code .eval.loss} — removed when the job leaves this instance; optimizer steps
 * counted in {@code trainer.finetune.steps} [trainer_finetune_steps_total]; and jobs per status
 * across all instances in {@code trainer.finetune.jobs{status}} [trainer_finetune_jobs], read from
 * the database at most every few seconds.
 */
@Component
class FineTuningMetrics {

    private static final Map<String, String> GAUGES = Map.ofEntries(Map.entry("loss", "loss"),
            Map.entry("nll_loss", "nll_loss"), Map.entry("rewards/accuracies", "rewards.accuracies"),
            Map.entry("rewards/margins", "rewards.margins"), Map.entry("rewards/chosen", "rewards.chosen"),
            Map.entry("rewards/rejected", "rewards.rejected"), Map.entry("grad_norm", "grad_norm"),
            Map.entry("learning_rate", "learning_rate"), Map.entry("tokens_per_second", "tokens_per_second"),
            Map.entry("epoch", "epoch"), Map.entry("eval_loss", "eval.loss"));
    private static final long STATUS_REFRESH_NANOS = 5_000_000_000L;

    private final MeterRegistry registry;
    private final JdbcClient jdbc;
    private final Counter steps;
    private final Map<String, Map<String, AtomicReference<Double>>> latest = new ConcurrentHashMap<>();
    private final Map<String, List<Meter.Id>> meters = new ConcurrentHashMap<>();
    private final Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
    private long countedAt;

    FineTuningMetrics(MeterRegistry registry, JdbcClient jdbc) {
        this.registry = registry;
        this.jdbc = jdbc;
        this.steps = Counter.builder("trainer.finetune.steps").description("optimizer steps trained on this instance")
                .register(registry);
        for (JobStatus status : JobStatus.values()) {
            Gauge.builder("trainer.finetune.jobs", () -> count(status)).tag("status", status.value())
                    .description("fine-tuning jobs by status, all instances").register(registry);
        }
    }

    /** A metric row of a job running here: a training step moves the gauges and the step counter. */
    void row(String jobId, String kind, Map<String, Double> row) {
        if (kind.equals("train")) {
            steps.increment();
        }
        Map<String, AtomicReference<Double>> values = latest.computeIfAbsent(jobId, id -> new ConcurrentHashMap<>());
        for (Map.Entry<String, Double> entry : row.entrySet()) {
            String name = GAUGES.get(entry.getKey());
            if (name == null || entry.getValue() == null) {
                continue;
            }
            values.computeIfAbsent(name, n -> {
                AtomicReference<Double> value = new AtomicReference<>(Double.NaN);
                Gauge gauge = Gauge.builder("trainer.finetune." + n, value, AtomicReference::get).tag("job", jobId)
                        .description("latest " + entry.getKey() + " of a fine-tuning job running here")
                        .register(registry);
                meters.computeIfAbsent(jobId, id -> new ArrayList<>()).add(gauge.getId());
                return value;
            }).set(entry.getValue());
        }
    }

    /** The job left this instance: its gauges go. */
    void ended(String jobId) {
        latest.remove(jobId);
        List<Meter.Id> ids = meters.remove(jobId);
        if (ids != null) {
            ids.forEach(registry::remove);
        }
    }

    private synchronized double count(JobStatus status) {
        long now = System.nanoTime();
        if (countedAt == 0 || now - countedAt > STATUS_REFRESH_NANOS) {
            try {
                counts.clear();
                jdbc.sql("select status, count(*) as n from fine_tuning_jobs group by status")
                        .query((rs, n) -> counts.put(JobStatus.of(rs.getString("status")), rs.getLong("n"))).list();
                countedAt = now;
            } catch (RuntimeException e) {
                return Double.NaN;
            }
        }
        return counts.getOrDefault(status, 0L);
    }
}
