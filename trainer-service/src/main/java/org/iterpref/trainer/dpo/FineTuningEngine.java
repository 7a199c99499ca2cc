package org.iterpref.trainer.dpo;

import java.nio.file.Path;

/** Runs one focal DPO job to its end on this instance's device. */
public interface FineTuningEngine {

    /**
     * Trains {@code job}, resuming from the newest complete checkpoint in its work directory if
     * there is one, reporting through {@code reporter} as it goes.
     *
     * @return the final model directory (Hugging Face layout), or empty-handed through
     *     {@link TrainingStoppedException} when {@link TrainingReporter#shouldStop()} said stop
     * @throws IllegalArgumentException when the data cannot be used (no pair fits, a prompt cannot
     *     be rendered); the job fails with that message
     */
    Path train(TrainingJob job, TrainingReporter reporter);

    /** Thrown when a run stopped because {@link TrainingReporter#shouldStop()} answered true. */
    final class TrainingStoppedException extends RuntimeException {

        public TrainingStoppedException(String message) {
            super(message);
        }
    }
}
