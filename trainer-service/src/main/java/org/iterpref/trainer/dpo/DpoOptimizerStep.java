package org.iterpref.trainer.dpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import org.iterpref.trainer.model.DecoderModel;

/**
 * One whole optimizer step of focal DPO on a global batch: forward of the chosen and rejected
 * sequences and backward of focal DPO + α·NLL (micro-batch by micro-batch, gradients accumulated),
 * global-norm clipping, an AdamW update at the given learning rate, gradients reset. The policy
 * must record gradients ({@link DecoderModel#enableGradients()}). Used by each job's step loop and
 * by the training benchmark.
 */
public final class DpoOptimizerStep implements AutoCloseable {

    private final DecoderModel policy;
    private final DpoHyperparameters hp;
    private final NDManager manager;
    private final DpoStep step;
    private final AdamW optimizer;

    public DpoOptimizerStep(DecoderModel policy, long padId, DpoHyperparameters hp, NDManager manager) {
        this(policy, padId, hp, manager, hp.gradientCheckpointing());
    }

    /**
     * With {@code gradientCheckpointing}, each decoder layer is recomputed during backward instead of
     * keeping its activations: memory linear in the sequence length for one more forward pass.
     */
    public DpoOptimizerStep(DecoderModel policy, long padId, DpoHyperparameters hp, NDManager manager,
                            boolean gradientCheckpointing) {
        this.policy = policy;
        this.hp = hp;
        this.manager = manager;
        this.step = new DpoStep(policy, padId, gradientCheckpointing);
        this.optimizer = AdamW.standard(manager, hp.weightDecay());
    }

    /**
     * What one step measured.
     *
     * @param metrics the step's row of TRL metrics (loss, nll_loss, rewards/..., logps/...)
     * @param loss the loss before the update
     * @param gradNorm the global gradient norm before clipping
     * @param tokens tokens of every sequence of the batch
     */
    public record Outcome(Map<String, Double> metrics, double loss, double gradNorm, long tokens) {
    }

    /** Trains on {@code pairs} (with their reference log-probs {@code {ref_c, ref_r}}) at learning rate {@code lr}. */
    public Outcome run(List<EncodedPair> pairs, double[][] reference, double lr) {
        BatchResult result = step.run(pairs, reference, hp.microBatchSize(), hp.beta(), hp.nllAlpha(), true);
        double norm;
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> gradients = policy.gradients(scope);
            norm = GradientClipping.clip(gradients.values(), hp.maxGradNorm());
            optimizer.step(policy.parameters(), gradients, lr);
        }
        policy.zeroGradients();
        return new Outcome(result.metrics(""), result.loss(), norm, result.tokens());
    }

    /** The sequence log-probs {@code {π_c, π_r}} of {@code pairs} under the current weights, no gradients. */
    public double[][] sequenceLogProbs(List<EncodedPair> pairs) {
        return step.sequenceLogProbs(pairs, hp.microBatchSize());
    }

    /** The optimizer (its moments and step count go into checkpoints). */
    AdamW optimizer() {
        return optimizer;
    }

    @Override
    public void close() {
        optimizer.close();
    }
}
