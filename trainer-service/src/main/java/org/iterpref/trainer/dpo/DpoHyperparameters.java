package org.iterpref.trainer.dpo;

/**
 * The settings of one focal DPO job. Defaults are the paper's (IterPref / Target-DPO): β 0.1,
 * NLL weight α 1.0, learning rate 5e-6, AdamW (0.9, 0.999, 1e-8, weight decay 0), cosine schedule
 * with 3% linear warm-up, 2 epochs, length 2048 with the prompt at most 1024, clipping at 1.0.
 *
 * @param nEpochs passes over the training pairs
 * @param batchSize pairs per optimizer step (the global batch)
 * @param gradientAccumulationSteps micro-batches per optimizer step; must divide {@code batchSize}
 * @param learningRate peak learning rate, already multiplied by OpenAI's {@code learning_rate_multiplier}
 * @param beta DPO temperature β, > 0
 * @param focal true: rejected sequences count only their error-region tokens; false: plain DPO
 * @param nllAlpha weight α of the NLL of the chosen tokens, pooled over the batch; 0 turns it off
 * @param maxLength most tokens of prompt + completion + end token
 * @param maxPromptLength most prompt tokens (cut from the left)
 * @param warmupRatio share of the optimizer steps spent in linear warm-up
 * @param maxGradNorm global gradient L2 norm clipped to this; 0 turns clipping off
 * @param weightDecay AdamW's decoupled weight decay
 * @param checkpointEvery optimizer steps between checkpoints; 0: only at the end of each epoch
 * @param promptFormat how prompts become tokens
 * @param reference where the reference log-probs come from
 * @param gradientCheckpointing recompute each decoder layer during backward instead of keeping its
 *     activations: memory linear in the sequence length for about one more forward pass (same numbers)
 */
public record DpoHyperparameters(int nEpochs, int batchSize, int gradientAccumulationSteps, double learningRate,
                                 double beta, boolean focal, double nllAlpha, int maxLength, int maxPromptLength,
                                 double warmupRatio, double maxGradNorm, double weightDecay, int checkpointEvery,
                                 PromptFormat promptFormat, ReferenceMode reference, boolean gradientCheckpointing) {

    /** Without gradient checkpointing. */
    public DpoHyperparameters(int nEpochs, int batchSize, int gradientAccumulationSteps, double learningRate,
                              double beta, boolean focal, double nllAlpha, int maxLength, int maxPromptLength,
                              double warmupRatio, double maxGradNorm, double weightDecay, int checkpointEvery,
                              PromptFormat promptFormat, ReferenceMode reference) {
        this(nEpochs, batchSize, gradientAccumulationSteps, learningRate, beta, focal, nllAlpha, maxLength,
                maxPromptLength, warmupRatio, maxGradNorm, weightDecay, checkpointEvery, promptFormat, reference, false);
    }

    /** How a pair's prompt is turned into text before tokenizing. */
    public enum PromptFormat {
        /** The chat template (or built-in ChatML) when the model has one, else raw. */
        AUTO,
        /** Always the chat template, with the end-of-turn token closing completions; an error without one. */
        CHAT,
        /** The messages' contents joined by newlines, EOS closing completions. */
        RAW
    }

    /** Where reference log-probs come from. */
    public enum ReferenceMode {
        /** The starting model's, computed once per pair before the first step (no second model in memory). */
        PRECOMPUTED,
        /** A frozen copy of the starting model kept in memory and run beside the policy. */
        FROZEN_MODEL
    }

    /** The paper's settings with {@code batchSize} pairs per step and no accumulation. */
    public static DpoHyperparameters defaults() {
        return new DpoHyperparameters(2, 8, 1, 5e-6, 0.1, true, 1.0, 2048, 1024, 0.03, 1.0, 0.0, 0,
                PromptFormat.AUTO, ReferenceMode.PRECOMPUTED);
    }

    public DpoHyperparameters {
        require(nEpochs >= 1, "n_epochs", "must be at least 1");
        require(batchSize >= 1, "batch_size", "must be at least 1");
        require(gradientAccumulationSteps >= 1 && batchSize % gradientAccumulationSteps == 0,
                "gradient_accumulation_steps", "must be at least 1 and divide batch_size");
        require(learningRate > 0 && Double.isFinite(learningRate), "learning_rate", "must be a positive number");
        require(beta > 0 && Double.isFinite(beta), "beta", "must be a positive number");
        require(nllAlpha >= 0 && Double.isFinite(nllAlpha), "nll_alpha", "must be 0 or more");
        require(maxLength >= 2, "max_length", "must be at least 2");
        require(maxPromptLength >= 1 && maxPromptLength < maxLength, "max_prompt_length",
                "must be at least 1 and below max_length");
        require(warmupRatio >= 0 && warmupRatio <= 1, "warmup_ratio", "must be between 0 and 1");
        require(maxGradNorm >= 0 && Double.isFinite(maxGradNorm), "max_grad_norm", "must be 0 or more");
        require(weightDecay >= 0 && Double.isFinite(weightDecay), "weight_decay", "must be 0 or more");
        require(checkpointEvery >= 0, "checkpoint_every", "must be 0 or more");
        if (promptFormat == null) {
            promptFormat = PromptFormat.AUTO;
        }
        if (reference == null) {
            reference = ReferenceMode.PRECOMPUTED;
        }
    }

    /** Pairs per micro-batch. */
    public int microBatchSize() {
        return batchSize / gradientAccumulationSteps;
    }

    private static void require(boolean ok, String field, String message) {
        if (!ok) {
            throw new InvalidHyperparameterException(field, field + " " + message);
        }
    }

    /** A hyperparameter out of range; {@link #field()} names it as the API spells it. */
    public static final class InvalidHyperparameterException extends IllegalArgumentException {

        private final String field;

        public InvalidHyperparameterException(String field, String message) {
            super(message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }
}
