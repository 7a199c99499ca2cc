package org.iterpref.trainer.finetune;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.iterpref.trainer.dpo.FineTuningEngine;
import org.iterpref.trainer.dpo.TrainingJob;
import org.iterpref.trainer.dpo.TrainingReporter;

/**
 * A stand-in for the focal DPO engine, for tests of the job layer: it "trains" by walking the
 * steps a real run would take ({@code ceil(pairs / batch_size)} per epoch), reporting through the
 * reporter as a real run does — events, a TRL-named metrics row per step, an evaluation row per
 * epoch when there are validation pairs, trained tokens, and a checkpoint every
 * {@code checkpoint_every} steps (or per epoch) written as a plain copy of the base model
 * directory under {@code workDir/checkpoints/step-N}. It resumes after the newest complete
 * checkpoint it finds in the work directory, honours {@code shouldStop()} before every step,
 * returns a copy of the base model as the final model, and refuses (IllegalArgumentException) a
 * job whose first pair's chosen text is {@link #REFUSE}.
 */
public class FakeEngine implements FineTuningEngine {

    /** A chosen completion that makes the engine refuse the data. */
    public static final String REFUSE = "FAKE-ENGINE-REFUSES";
    static final String COMPLETE = "COMPLETE";

    /** Milliseconds each step takes (tests set it before creating a job). */
    public volatile long stepDelayMs;
    private final List<TrainingJob> runs = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> resumedFrom = new ConcurrentHashMap<>();
    private final Map<String, Integer> stoppedBefore = new ConcurrentHashMap<>();

    /** Every job handed to {@link #train}, in order (a resumed job appears again). */
    public List<TrainingJob> runs() {
        return List.copyOf(runs);
    }

    public List<TrainingJob> runsOf(String jobId) {
        return runs.stream().filter(job -> job.jobId().equals(jobId)).toList();
    }

    /** The checkpoint step a run of {@code jobId} resumed from, if one did. */
    public Integer resumedFrom(String jobId) {
        return resumedFrom.get(jobId);
    }

    /** The step before which a run of {@code jobId} saw shouldStop(), if one did. */
    public Integer stoppedBefore(String jobId) {
        return stoppedBefore.get(jobId);
    }

    @Override
    public Path train(TrainingJob job, TrainingReporter reporter) {
        runs.add(job);
        if (job.training().get(0).chosen().equals(REFUSE)) {
            throw new IllegalArgumentException("no pair fits in max_length " + job.hyperparameters().maxLength());
        }
        int batch = job.hyperparameters().batchSize();
        int perEpoch = (job.training().size() + batch - 1) / batch;
        int total = perEpoch * job.hyperparameters().nEpochs();
        int every = job.hyperparameters().checkpointEvery();
        int start = newestCheckpoint(job.workDir()) + 1;
        if (start > 1) {
            resumedFrom.put(job.jobId(), start - 1);
            reporter.event("info", "Resuming from the checkpoint of step " + (start - 1));
        }
        reporter.event("info", "Training on " + job.training().size() + " pairs for " + total + " steps");
        long tokens = 100L * batch * (start - 1);
        for (int step = start; step <= total; step++) {
            if (reporter.shouldStop()) {
                stoppedBefore.put(job.jobId(), step);
                throw new TrainingStoppedException("stopped before step " + step);
            }
            pause();
            tokens += 100L * batch;
            Map<String, Double> row = stepRow(step, perEpoch, job);
            reporter.metrics(row);
            reporter.trainedTokens(tokens);
            boolean epochEnd = step % perEpoch == 0;
            if (every > 0 ? step % every == 0 : epochEnd) {
                reporter.checkpoint(step, copy(job.baseModelDir(), job.workDir().resolve("checkpoints/step-" + step)),
                        row);
            }
            if (epochEnd && !job.validation().isEmpty()) {
                Map<String, Double> eval = new LinkedHashMap<>();
                eval.put("eval_loss", 0.7 / (1 + 0.05 * step));
                eval.put("eval_rewards/accuracies", 0.5 + 0.4 * step / total);
                eval.put("epoch", (double) step / perEpoch);
                eval.put("step", (double) step);
                reporter.metrics(eval);
            }
        }
        reporter.event("info", "Training done after " + total + " steps");
        return copy(job.baseModelDir(), job.workDir().resolve("final"));
    }

    private static Map<String, Double> stepRow(int step, int perEpoch, TrainingJob job) {
        double loss = 0.6931 / (1 + 0.1 * step);
        Map<String, Double> row = new LinkedHashMap<>();
        row.put("loss", loss);
        row.put("nll_loss", 1.2 / (1 + 0.1 * step));
        row.put("rewards/chosen", 0.01 * step);
        row.put("rewards/rejected", -0.01 * step);
        row.put("rewards/accuracies", Math.min(1.0, 0.5 + 0.05 * step));
        row.put("rewards/margins", 0.02 * step);
        row.put("logps/chosen", -40.0 + step);
        row.put("logps/rejected", -45.0 - step);
        row.put("grad_norm", 1.0);
        row.put("learning_rate", job.hyperparameters().learningRate());
        row.put("epoch", (double) step / perEpoch);
        row.put("step", (double) step);
        row.put("tokens_per_second", 1234.0);
        return row;
    }

    private void pause() {
        if (stepDelayMs > 0) {
            try {
                Thread.sleep(stepDelayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TrainingStoppedException("interrupted");
            }
        }
    }

    /** The newest checkpoint with its COMPLETE marker, 0 when none. */
    static int newestCheckpoint(Path workDir) {
        Path dir = workDir.resolve("checkpoints");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> steps = Files.list(dir)) {
            return steps.filter(p -> p.getFileName().toString().startsWith("step-"))
                    .filter(p -> Files.exists(p.resolve(COMPLETE)))
                    .mapToInt(p -> Integer.parseInt(p.getFileName().toString().substring("step-".length())))
                    .max().orElse(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A plain copy of a model directory's files, marked complete last. */
    static Path copy(Path from, Path to) {
        try (Stream<Path> files = Files.list(from)) {
            Files.createDirectories(to);
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, to.resolve(file.getFileName().toString()),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Files.writeString(to.resolve(COMPLETE), "");
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
