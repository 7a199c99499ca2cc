package org.iterpref.trainer.dpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntPredicate;
import org.iterpref.common.pair.CharSpan;
import org.iterpref.trainer.Fixtures;
import org.iterpref.trainer.chat.ChatTemplateEngine;
import org.iterpref.trainer.config.TrainerProperties;
import org.iterpref.trainer.dpo.DpoHyperparameters.PromptFormat;
import org.iterpref.trainer.dpo.DpoHyperparameters.ReferenceMode;
import org.iterpref.trainer.dpo.FineTuningEngine.TrainingStoppedException;
import org.iterpref.trainer.model.DecoderModel;
import org.iterpref.trainer.model.Engines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The focal DPO engine end to end on tiny-qwen2: steps, metrics, evaluation, checkpoints, resume. */
class DpoTrainerTest {

    private static final TrainerProperties CPU = new TrainerProperties(Map.of(), 1, 0, Duration.ofSeconds(1), 0, 0,
            null, 1, "cpu", "float32");
    private static NDManager manager;
    private static List<TrainingPair> pairs;
    private final DpoTrainer trainer = new DpoTrainer(CPU, new ChatTemplateEngine());

    @BeforeAll
    static void readPairs() throws Exception {
        manager = Engines.newCpuManager();
        JsonNode expected = new ObjectMapper().readTree(Fixtures.root().resolve("dpo/expected.json").toFile());
        pairs = new ArrayList<>();
        for (JsonNode pair : expected.path("pairs")) {
            List<CharSpan> spans = new ArrayList<>();
            pair.path("error_spans").forEach(s -> spans.add(new CharSpan(s.get(0).asInt(), s.get(1).asInt())));
            pairs.add(TrainingPair.ofPrompt(pair.path("prompt").asString(), pair.path("chosen").asString(),
                    pair.path("rejected").asString(), spans));
        }
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static DpoHyperparameters hyperparameters(int epochs, int checkpointEvery, ReferenceMode reference) {
        return new DpoHyperparameters(epochs, 2, 2, 1e-3, 0.1, true, 1.0, 512, 256, 0.1, 1.0, 0.0, checkpointEvery,
                PromptFormat.AUTO, reference);
    }

    TrainingJob job(Path workDir, DpoHyperparameters hp) {
        return new TrainingJob("ftjob-test", "tiny-qwen2", Fixtures.model("tiny-qwen2"), hp, 7, pairs, pairs, workDir);
    }

    @Test
    void trainsReportsEvaluatesAndCheckpointsEveryStepOfTheJob(@TempDir Path work) {
        RecordingReporter reporter = new RecordingReporter(step -> false);
        Path last = trainer.train(job(work, hyperparameters(3, 1, ReferenceMode.PRECOMPUTED)), reporter);

        List<Map<String, Double>> steps = reporter.rows.stream().filter(r -> r.containsKey("loss")).toList();
        List<Map<String, Double>> evals = reporter.rows.stream().filter(r -> r.containsKey("eval_loss")).toList();
        assertThat(steps).hasSize(6);
        assertThat(steps.get(0)).containsKeys("loss", "nll_loss", "rewards/chosen", "rewards/rejected",
                "rewards/accuracies", "rewards/margins", "logps/chosen", "logps/rejected", "grad_norm",
                "learning_rate", "epoch", "step", "tokens_per_second");
        assertThat(steps.get(0).get("learning_rate")).as("first warm-up step").isZero();
        assertThat(steps.get(5).get("epoch")).isEqualTo(3.0);
        assertThat(evals).extracting(r -> r.get("step")).containsExactly(0.0, 2.0, 4.0, 6.0);
        assertThat(evals.get(0).get("eval_rewards/margins")).as("the policy is the reference at step 0")
                .isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(evals.get(3).get("eval_rewards/margins")).as("the preference was learned").isGreaterThan(0.05);
        assertThat(evals.get(3).get("eval_rewards/accuracies")).isEqualTo(1.0);
        assertThat(reporter.checkpoints).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(last).isEqualTo(work.resolve("checkpoints/step-6"));
        assertThat(work.resolve(ReferenceLogProbs.FILE)).isRegularFile();
        assertThat(reporter.tokens).isPositive();
        try (DecoderModel base = DecoderModel.load(Fixtures.model("tiny-qwen2"), manager);
             DecoderModel trained = DecoderModel.load(last, manager)) {
            assertThat(maxDifference(base, trained)).isGreaterThan(1e-4);
        }
    }

    @Test
    void aStoppedRunResumesFromItsLastCheckpointAndEndsWhereAnUninterruptedOneEnds(@TempDir Path work) {
        DpoHyperparameters hp = hyperparameters(3, 2, ReferenceMode.PRECOMPUTED);
        Path uninterrupted = trainer.train(job(work.resolve("a"), hp), new RecordingReporter(step -> false));

        RecordingReporter first = new RecordingReporter(step -> step >= 3);
        assertThatThrownBy(() -> trainer.train(job(work.resolve("b"), hp), first))
                .isInstanceOf(TrainingStoppedException.class);
        assertThat(first.checkpoints).containsExactly(2);
        RecordingReporter second = new RecordingReporter(step -> false);
        Path resumed = trainer.train(job(work.resolve("b"), hp), second);

        assertThat(second.events).anyMatch(e -> e.contains("Resumed from the checkpoint of step 2"));
        assertThat(second.rows.stream().filter(r -> r.containsKey("loss"))).hasSize(4);
        try (DecoderModel a = DecoderModel.load(uninterrupted, manager);
             DecoderModel b = DecoderModel.load(resumed, manager)) {
            assertThat(maxDifference(a, b)).isLessThanOrEqualTo(1e-6);
        }
    }

    @Test
    void aFrozenReferenceModelGivesThePrecomputedReferencesNumbers(@TempDir Path work) {
        RecordingReporter precomputed = new RecordingReporter(step -> false);
        trainer.train(job(work.resolve("p"), hyperparameters(1, 0, ReferenceMode.PRECOMPUTED)), precomputed);
        RecordingReporter frozen = new RecordingReporter(step -> false);
        trainer.train(job(work.resolve("f"), hyperparameters(1, 0, ReferenceMode.FROZEN_MODEL)), frozen);

        assertThat(Files.exists(work.resolve("f").resolve(ReferenceLogProbs.FILE))).isFalse();
        for (int i = 0; i < precomputed.rows.size(); i++) {
            for (String key : List.of("loss", "eval_loss", "rewards/margins", "eval_rewards/margins")) {
                Double p = precomputed.rows.get(i).get(key);
                if (p != null) {
                    assertThat(frozen.rows.get(i).get(key)).as(key).isCloseTo(p,
                            org.assertj.core.data.Offset.offset(1e-6));
                }
            }
        }
    }

    @Test
    void plainDpoCountsEveryRejectedTokenAndAlphaZeroDropsTheNll(@TempDir Path work) {
        DpoHyperparameters plain = new DpoHyperparameters(1, 3, 1, 1e-3, 0.1, false, 0.0, 512, 256, 0, 1.0, 0.0, 0,
                PromptFormat.RAW, ReferenceMode.PRECOMPUTED);
        DpoHyperparameters focal = new DpoHyperparameters(1, 3, 1, 1e-3, 0.1, true, 0.0, 512, 256, 0, 1.0, 0.0, 0,
                PromptFormat.RAW, ReferenceMode.PRECOMPUTED);
        RecordingReporter plainRun = new RecordingReporter(step -> false);
        trainer.train(job(work.resolve("plain"), plain), plainRun);
        RecordingReporter focalRun = new RecordingReporter(step -> false);
        trainer.train(job(work.resolve("focal"), focal), focalRun);

        Map<String, Double> plainStep = plainRun.rows.stream().filter(r -> r.containsKey("loss")).findFirst().orElseThrow();
        Map<String, Double> focalStep = focalRun.rows.stream().filter(r -> r.containsKey("loss")).findFirst().orElseThrow();
        assertThat(plainStep.get("logps/rejected")).as("all rejected tokens count").isLessThan(focalStep.get("logps/rejected"));
        assertThat(plainStep.get("logps/chosen")).isEqualTo(focalStep.get("logps/chosen"));
        assertThat(focalStep.get("loss")).as("α = 0: the loss is the DPO loss alone, log 2 at the start")
                .isCloseTo(Math.log(2), org.assertj.core.data.Offset.offset(1e-6));
    }

    static double maxDifference(DecoderModel a, DecoderModel b) {
        double worst = 0;
        Map<String, NDArray> other = b.parameters();
        for (Map.Entry<String, NDArray> entry : a.parameters().entrySet()) {
            float[] x = entry.getValue().toFloatArray();
            float[] y = other.get(entry.getKey()).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                worst = Math.max(worst, Math.abs(x[i] - y[i]));
            }
        }
        return worst;
    }

    /** Records what the engine reports; asks it to stop once {@code stopAt} accepts the steps taken. */
    static final class RecordingReporter implements TrainingReporter {

        final List<Map<String, Double>> rows = new CopyOnWriteArrayList<>();
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Integer> checkpoints = new CopyOnWriteArrayList<>();
        final IntPredicate stopAt;
        volatile long tokens;

        RecordingReporter(IntPredicate stopAt) {
            this.stopAt = stopAt;
        }

        @Override
        public void event(String level, String message) {
            events.add(message);
        }

        @Override
        public void metrics(Map<String, Double> row) {
            rows.add(row);
        }

        @Override
        public String checkpoint(int step, Path modelDir, Map<String, Double> metrics) {
            checkpoints.add(step);
            return "ckpt-" + step;
        }

        @Override
        public void trainedTokens(long trained) {
            tokens = trained;
        }

        @Override
        public boolean shouldStop() {
            return stopAt.test((int) rows.stream().filter(r -> r.containsKey("loss")).count());
        }
    }
}
