package org.iterpref.trainer.dpo;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a running job tells the job layer, and how it learns it should stop. Called from the
 * training thread.
 */
public interface TrainingReporter {

    /** A job event ({@code level} "info", "warn" or "error"), shown in the job's event list. */
    void event(String level, String message);

    /**
     * One row of the job's log history, named as TRL logs them: a training step ({@code loss},
     * {@code nll_loss}, {@code rewards/chosen}, ..., {@code grad_norm}, {@code learning_rate},
     * {@code epoch}, {@code step}, {@code tokens_per_second}) or an evaluation ({@code eval_loss},
     * {@code eval_rewards/accuracies}, ..., {@code epoch}, {@code step}).
     */
    void metrics(Map<String, Double> row);

    /**
     * A complete checkpoint was written (Hugging Face layout in {@code modelDir}, loadable by
     * {@code DecoderModel.load}); the job layer registers it for serving and returns the served id
     * ({@code fine_tuned_model_checkpoint}). {@code metrics} are the last step's.
     */
    String checkpoint(int step, Path modelDir, Map<String, Double> metrics);

    /** Tokens trained on so far (prompt and completion tokens of every sequence of every step). */
    void trainedTokens(long tokens);

    /** True when the job was cancelled or this instance lost its lease: stop at the next step. */
    boolean shouldStop();
}
