package org.iterpref.trainer.dpo;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.iterpref.trainer.dpo.FineTuningEngine.TrainingStoppedException;
import org.iterpref.trainer.model.DecoderModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The step loop of one job: for each optimizer step, the batch the data order gives, its focal DPO
 * gradient accumulated over micro-batches, clipping, AdamW at the schedule's learning rate, a
 * metrics row; an evaluation on the validation pairs before the first step and after every epoch;
 * a checkpoint every {@code checkpoint_every} steps and at the end of every epoch. Stops between
 * steps when the reporter says so.
 */
final class TrainingRun {

    private static final Logger log = LoggerFactory.getLogger(TrainingRun.class);

    private final TrainingJob job;
    private final PreparedData data;
    private final DecoderModel policy;
    private final References references;
    private final TrainingReporter reporter;
    private final NDManager manager;
    private final DpoHyperparameters hp;
    private final DataOrder order;
    private final CosineSchedule schedule;

    TrainingRun(TrainingJob job, PreparedData data, DecoderModel policy, References references,
                TrainingReporter reporter, NDManager manager) {
        this.job = job;
        this.data = data;
        this.policy = policy;
        this.references = references;
        this.reporter = reporter;
        this.manager = manager;
        this.hp = job.hyperparameters();
        this.order = new DataOrder(job.seed(), data.training().size(), hp.batchSize());
        this.schedule = CosineSchedule.of(hp.learningRate(), order.stepsPerEpoch() * hp.nEpochs(), hp.warmupRatio());
    }

    /** Runs to the end (or from {@code resume}); returns the final checkpoint's model directory. */
    Path run(Optional<TrainingCheckpoints.Saved> resume) {
        DpoStep step = new DpoStep(policy, data.endToken());
        try (DpoOptimizerStep optimizerStep = new DpoOptimizerStep(policy, data.endToken(), hp, manager)) {
            AdamW optimizer = optimizerStep.optimizer();
            TrainerState state;
            Path last = null;
            if (resume.isPresent()) {
                state = resume.get().state();
                TrainingCheckpoints.restoreOptimizer(resume.get(), optimizer, policy.parameters());
                last = resume.get().dir();
                reporter.event("info", "Resumed from the checkpoint of step " + state.globalStep() + " of "
                        + state.maxSteps() + ".");
                reporter.trainedTokens(state.trainedTokens());
            } else {
                state = new TrainerState(0, schedule.totalSteps(), order.stepsPerEpoch(), hp.nEpochs(), job.seed(), 0,
                        List.of());
                reporter.event("info", "Training " + state.maxSteps() + " steps (" + hp.nEpochs() + " epochs of "
                        + order.stepsPerEpoch() + ", " + hp.batchSize() + " pairs each in "
                        + hp.gradientAccumulationSteps() + " micro-batches), warm-up " + schedule.warmupSteps()
                        + " steps, peak learning rate " + hp.learningRate() + ".");
                if (!data.validation().isEmpty()) {
                    state = state.withRows(List.of(evaluate(step, state)));
                }
            }
            while (state.globalStep() < state.maxSteps()) {
                if (reporter.shouldStop()) {
                    throw new TrainingStoppedException("stopped before step " + (state.globalStep() + 1));
                }
                state = trainStep(optimizerStep, state);
                boolean endOfEpoch = state.globalStep() % order.stepsPerEpoch() == 0;
                if (endOfEpoch && !data.validation().isEmpty()) {
                    state = state.withRows(List.of(evaluate(step, state)));
                }
                boolean due = hp.checkpointEvery() > 0 && state.globalStep() % hp.checkpointEvery() == 0;
                if (endOfEpoch || due || state.globalStep() == state.maxSteps()) {
                    last = checkpoint(optimizer, state);
                }
            }
            reporter.event("info", "Training finished after " + state.globalStep() + " steps, "
                    + state.trainedTokens() + " tokens.");
            return last;
        }
    }

    private TrainerState trainStep(DpoOptimizerStep optimizerStep, TrainerState state) {
        long started = System.nanoTime();
        int index = state.globalStep();
        List<Integer> positions = order.batch(index);
        List<EncodedPair> pairs = positions.stream().map(data.training()::get).toList();
        double lr = schedule.at(index);
        DpoOptimizerStep.Outcome result = optimizerStep.run(pairs, references.training(positions), lr);
        double norm = result.gradNorm();
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, Double> row = new LinkedHashMap<>(result.metrics());
        row.put("grad_norm", norm);
        row.put("learning_rate", lr);
        row.put("epoch", (index + 1.0) / order.stepsPerEpoch());
        row.put("step", (double) (index + 1));
        row.put("tokens_per_second", result.tokens() / seconds);
        if (!Double.isFinite(result.loss()) || !Double.isFinite(norm)) {
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "step %d diverged: loss %s, gradient norm %s (lower the learning rate)", index + 1, result.loss(), norm));
        }
        reporter.metrics(row);
        TrainerState next = state.advance(result.tokens(), List.of(row));
        reporter.trainedTokens(next.trainedTokens());
        log.info(String.format(Locale.ROOT, "job %s step %d/%d: loss %.4f, reward margin %.4f, accuracy %.2f, "
                        + "grad norm %.3f, lr %.3g, %.0f tokens/s", job.jobId(), index + 1, state.maxSteps(),
                result.loss(), row.get("rewards/margins"), row.get("rewards/accuracies"), norm, lr,
                row.get("tokens_per_second")));
        return next;
    }

    private Map<String, Double> evaluate(DpoStep step, TrainerState state) {
        BatchResult result = step.run(data.validation(), references.validation(), hp.microBatchSize(), hp.beta(),
                hp.nllAlpha(), false);
        Map<String, Double> row = new LinkedHashMap<>(result.metrics("eval_"));
        row.put("epoch", state.epoch());
        row.put("step", (double) state.globalStep());
        reporter.metrics(row);
        reporter.event("info", String.format(Locale.ROOT, "Validation at step %d: loss %.4f, reward accuracy %.3f, "
                + "margin %.4f.", state.globalStep(), result.loss(), row.get("eval_rewards/accuracies"),
                row.get("eval_rewards/margins")));
        return row;
    }

    private Path checkpoint(AdamW optimizer, TrainerState state) {
        Path dir = TrainingCheckpoints.save(job.workDir(), policy, job.baseModelDir(), optimizer, state);
        Map<String, Double> last = state.logHistory().isEmpty() ? Map.of()
                : lastTrainingRow(state.logHistory());
        String served = reporter.checkpoint(state.globalStep(), dir, last);
        reporter.event("info", "Checkpoint at step " + state.globalStep() + " saved" + (served == null ? "" : (
                ", served as " + served)) + ".");
        return dir;
    }

    private static Map<String, Double> lastTrainingRow(List<Map<String, Double>> history) {
        List<Map<String, Double>> rows = new ArrayList<>(history);
        Map<String, Double> merged = new LinkedHashMap<>();
        for (int i = rows.size() - 1; i >= 0 && merged.size() < 30; i--) {
            rows.get(i).forEach(merged::putIfAbsent);
            if (rows.get(i).containsKey("loss")) {
                break;
            }
        }
        return merged;
    }
}
