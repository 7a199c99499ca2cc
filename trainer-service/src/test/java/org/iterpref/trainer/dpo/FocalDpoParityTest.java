package org.iterpref.trainer.dpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.iterpref.common.pair.CharSpan;
import org.iterpref.trainer.Fixtures;
import org.iterpref.trainer.checkpoint.SafetensorsFile;
import org.iterpref.trainer.dpo.DpoHyperparameters.PromptFormat;
import org.iterpref.trainer.model.DecoderModel;
import org.iterpref.trainer.model.Engines;
import org.iterpref.trainer.serving.ModelChatTemplate;
import org.iterpref.trainer.chat.ChatTemplateEngine;
import org.iterpref.trainer.tokenizer.TextTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Focal DPO against the float64 fixtures in {@code dpo/} (tiny-qwen2 policy, tiny-qwen2-ref
 * reference), with the README's tolerances: sequence log-probs and rewards {@code ≤ 1e-3 + 1e-5·|v|},
 * losses and NLL {@code ≤ 1e-4}, each gradient tensor {@code ‖g − g_ref‖ ≤ 1e-3·‖g_ref‖}, params
 * after one clipped AdamW step {@code ≤ 1e-5} max abs.
 */
class FocalDpoParityTest {

    private static NDManager manager;
    private static JsonNode expected;
    private static List<EncodedPair> pairs;
    private static double[][] reference;

    @BeforeAll
    static void encodePairsAndReference() throws Exception {
        manager = Engines.newCpuManager();
        expected = new ObjectMapper().readTree(dpo().resolve("expected.json").toFile());
        pairs = encode(true);
        try (DecoderModel ref = DecoderModel.load(Fixtures.model("tiny-qwen2-ref"), manager)) {
            reference = new DpoStep(ref, 2045).sequenceLogProbs(pairs, 2);
        }
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static List<EncodedPair> encode(boolean focal) throws Exception {
        Path dir = Fixtures.model("tiny-qwen2");
        try (TextTokenizer tokenizer = TextTokenizer.open(dir)) {
            PromptRenderer renderer = new PromptRenderer(tokenizer,
                    ModelChatTemplate.prepare("tiny-qwen2", tokenizer, new ChatTemplateEngine()), PromptFormat.RAW);
            PairEncoder encoder = new PairEncoder(tokenizer, renderer, 2048, 1024, focal);
            List<EncodedPair> encoded = new ArrayList<>();
            int index = 0;
            for (JsonNode pair : expected.path("pairs")) {
                List<CharSpan> spans = new ArrayList<>();
                pair.path("error_spans").forEach(s -> spans.add(new CharSpan(s.get(0).asInt(), s.get(1).asInt())));
                TrainingPair training = TrainingPair.ofPrompt(pair.path("prompt").asString(),
                        pair.path("chosen").asString(), pair.path("rejected").asString(), spans);
                encoded.add(encoder.encode(index++, training).orElseThrow());
            }
            return encoded;
        }
    }

    @Test
    void encodedSequencesAndMasksEqualTheFixtureBatch() {
        try (SafetensorsFile batch = SafetensorsFile.open(dpo().resolve("batch.safetensors"))) {
            long[] ids = batch.readInt64("input_ids");
            boolean[] lossMask = batch.readBool("loss_mask");
            boolean[] focalMask = batch.readBool("focal_mask");
            int length = (int) batch.info("input_ids").shape()[1];
            DpoBatch ours = DpoBatch.of(pairs, 2045);
            assertThat(ours.rows()).isEqualTo(6);
            for (int row = 0; row < 6; row++) {
                long[] fixtureRow = Arrays.copyOfRange(ids, row * length, row * length + ours.length());
                long[] ourRow = Arrays.copyOfRange(ours.ids(), row * ours.length(), (row + 1) * ours.length());
                assertThat(ourRow).as("row %d ids", row).isEqualTo(fixtureRow);
                for (int t = ours.length(); t < length; t++) {
                    assertThat(ids[row * length + t]).as("fixture padding").isEqualTo(2045);
                }
            }
            boolean[] ourLoss = new boolean[6 * length];
            boolean[] ourFocal = new boolean[6 * length];
            for (int i = 0; i < ours.labelRows().length; i++) {
                int row = ours.labelRow()[i];
                int position = (int) (ours.labelRows()[i] - (long) row * ours.length()) + 1;
                ourLoss[row * length + position] = true;
                ourFocal[row * length + position] = ours.labelCounted()[i];
            }
            assertThat(ourLoss).isEqualTo(lossMask);
            assertThat(ourFocal).isEqualTo(focalMask);
        }
        for (int i = 0; i < pairs.size(); i++) {
            JsonNode mask = expected.path("pairs").get(i).path("rejected_error_token_mask");
            boolean[] focal = pairs.get(i).rejectedFocal();
            assertThat(focal.length).as("completion tokens + end token").isEqualTo(mask.size() + 1);
            for (int t = 0; t < mask.size(); t++) {
                assertThat(focal[t]).as("pair %d token %d", i, t).isEqualTo(mask.get(t).asBoolean());
            }
            assertThat(focal[mask.size()]).as("end token never focal").isFalse();
        }
    }

    @Test
    void referenceLogProbsEqualTheFixture() {
        try (SafetensorsFile batch = SafetensorsFile.open(dpo().resolve("batch.safetensors"))) {
            double[] ref = batch.readFloat64("reference_logps");
            for (int i = 0; i < 3; i++) {
                assertThat(reference[i][0]).isCloseTo(ref[i], within(logpTolerance(ref[i])));
                assertThat(reference[i][1]).isCloseTo(ref[3 + i], within(logpTolerance(ref[3 + i])));
            }
        }
    }

    @ParameterizedTest(name = "alpha {0}")
    @ValueSource(strings = {"dpo", "dpo_nll"})
    void lossesRewardsAndGradientsEqualTheFixture(String variant) {
        JsonNode results = expected.path("results").path(variant);
        double alpha = results.path("alpha").asDouble();
        try (DecoderModel policy = DecoderModel.load(Fixtures.model("tiny-qwen2"), manager);
             NDManager scope = manager.newSubManager()) {
            policy.enableGradients();
            BatchResult result = new DpoStep(policy, 2045).run(pairs, reference, 2, 0.1, alpha, true);

            assertThat(result.loss()).isCloseTo(results.path("loss").asDouble(), within(1e-4));
            assertThat(result.nll()).isCloseTo(results.path("nll").asDouble(), within(1e-4));
            double[] chosenRewards = result.chosenRewards();
            double[] rejectedRewards = result.rejectedRewards();
            for (int i = 0; i < 3; i++) {
                double pc = results.path("policy_chosen_logps").get(i).asDouble();
                double pr = results.path("policy_rejected_logps").get(i).asDouble();
                assertThat(result.policyChosen()[i]).isCloseTo(pc, within(logpTolerance(pc)));
                assertThat(result.policyRejected()[i]).isCloseTo(pr, within(logpTolerance(pr)));
                assertThat(result.pairLosses()[i]).isCloseTo(results.path("dpo_losses").get(i).asDouble(), within(1e-4));
                double rc = results.path("rewards_chosen").get(i).asDouble();
                double rr = results.path("rewards_rejected").get(i).asDouble();
                assertThat(chosenRewards[i]).isCloseTo(rc, within(logpTolerance(rc)));
                assertThat(rejectedRewards[i]).isCloseTo(rr, within(logpTolerance(rr)));
            }

            Map<String, NDArray> gradients = policy.gradients(scope);
            try (SafetensorsFile grads = SafetensorsFile.open(dpo().resolve("grads_" + variant + ".safetensors"))) {
                assertThat(gradients.keySet()).containsExactlyInAnyOrderElementsOf(grads.names());
                double worst = 0;
                for (Map.Entry<String, NDArray> entry : gradients.entrySet()) {
                    double[] want = grads.readFloat64(entry.getKey());
                    float[] got = entry.getValue().toFloatArray();
                    double diff = 0;
                    double norm = 0;
                    for (int i = 0; i < want.length; i++) {
                        diff += (got[i] - want[i]) * (got[i] - want[i]);
                        norm += want[i] * want[i];
                    }
                    worst = Math.max(worst, Math.sqrt(diff) / Math.sqrt(norm));
                    assertThat(Math.sqrt(diff)).as("gradient of %s", entry.getKey())
                            .isLessThanOrEqualTo(1e-3 * Math.sqrt(norm));
                }
                System.out.printf("%s: loss %.8f, worst relative gradient error %.3e%n", variant, result.loss(), worst);
            }
        }
    }

    @Test
    void oneClippedAdamWStepGivesTheFixtureParameters() {
        JsonNode adamw = expected.path("adamw");
        try (DecoderModel policy = DecoderModel.load(Fixtures.model("tiny-qwen2"), manager);
             NDManager scope = manager.newSubManager();
             AdamW optimizer = new AdamW(manager, adamw.path("betas").get(0).asDouble(),
                     adamw.path("betas").get(1).asDouble(), adamw.path("eps").asDouble(),
                     adamw.path("weight_decay").asDouble())) {
            policy.enableGradients();
            new DpoStep(policy, 2045).run(pairs, reference, 3, 0.1, 1.0, true);
            Map<String, NDArray> gradients = policy.gradients(scope);
            double norm = GradientClipping.clip(gradients.values(), adamw.path("clip_grad_norm").asDouble());
            assertThat(norm).isCloseTo(expected.path("results").path("dpo_nll").path("grad_norm_before_clip").asDouble(),
                    within(1e-3 * norm));
            optimizer.step(policy.parameters(), gradients, adamw.path("lr").asDouble());

            try (SafetensorsFile after = SafetensorsFile.open(dpo().resolve("params_after_adamw_step.safetensors"))) {
                double worst = 0;
                for (Map.Entry<String, NDArray> entry : policy.parameters().entrySet()) {
                    double[] want = after.readFloat64(entry.getKey());
                    float[] got = entry.getValue().toFloatArray();
                    for (int i = 0; i < want.length; i++) {
                        worst = Math.max(worst, Math.abs(got[i] - want[i]));
                    }
                }
                System.out.printf("params after one AdamW step: max abs error %.3e%n", worst);
                assertThat(worst).isLessThanOrEqualTo(1e-5);
            }
        }
    }

    static double logpTolerance(double value) {
        return 1e-3 + 1e-5 * Math.abs(value);
    }

    static Path dpo() {
        return Fixtures.root().resolve("dpo");
    }
}
