package org.iterpref.trainer.dpo;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything one focal DPO run needs, as the job layer hands it to {@link FineTuningEngine}.
 *
 * @param jobId the job's id ({@code ftjob-...})
 * @param baseModel the served id of the starting model
 * @param baseModelDir its Hugging Face directory (loaded afresh in float32 for training)
 * @param hyperparameters the settings
 * @param seed seeds the data order (and anything else random)
 * @param training the training pairs, in their stored order
 * @param validation held-out pairs measured before the first step and after every epoch; may be empty
 * @param workDir this job's directory under the storage root: checkpoints go in {@code
 *     workDir/checkpoints/step-N}; a run that finds one there resumes from the newest complete one
 */
public record TrainingJob(String jobId, String baseModel, Path baseModelDir, DpoHyperparameters hyperparameters,
                          long seed, List<TrainingPair> training, List<TrainingPair> validation, Path workDir) {

    public TrainingJob {
        training = List.copyOf(training);
        validation = List.copyOf(validation);
    }
}
