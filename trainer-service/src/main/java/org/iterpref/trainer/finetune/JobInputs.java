package org.iterpref.trainer.finetune;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.iterpref.trainer.dpo.TrainingJob;
import org.iterpref.trainer.dpo.TrainingPair;
import org.iterpref.trainer.files.TrainingFiles;
import org.iterpref.trainer.serving.ModelRegistry;
import org.iterpref.trainer.storage.PairFiles;
import org.iterpref.trainer.storage.Storage;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Everything a claimed job hands the engine, read afresh on every claim from what was stored when
 * the job was created (or its feed read): the base model's directory, the stored pairs, the
 * hyperparameters and seed, and the work directory {@code storage/jobs/<job id>}, the same on
 * every instance and every resume.
 */
@Component
class JobInputs {

    static final String TRAINING = "training.jsonl";
    static final String VALIDATION = "validation.jsonl";

    private final FineTuningJobRepository jobs;
    private final TrainingFiles files;
    private final PairFiles pairFiles;
    private final Storage storage;
    private final ModelRegistry registry;
    private final JsonMapper json;

    JobInputs(FineTuningJobRepository jobs, TrainingFiles files, PairFiles pairFiles, Storage storage,
              ModelRegistry registry, JsonMapper json) {
        this.jobs = jobs;
        this.files = files;
        this.pairFiles = pairFiles;
        this.storage = storage;
        this.registry = registry;
        this.json = json;
    }

    /** The job's row as the worker needs it. */
    FineTuningJobEntity job(String jobId) {
        return jobs.findById(jobId).orElseThrow(() -> new IllegalStateException("no job " + jobId));
    }

    /**
     * @throws IllegalArgumentException when the base model is no longer served or the stored pairs
     *     are gone: the job cannot run anywhere
     */
    TrainingJob build(FineTuningJobEntity job) {
        Path base = registry.directory(job.model()).orElseThrow(() -> new IllegalArgumentException(
                "The base model '" + job.model() + "' is no longer served by this instance."));
        Path workDir = storage.jobDir(job.id());
        List<TrainingPair> training = pairFiles.read(existing(job.trainingFile() != null
                ? files.pairs(job.trainingFile()) : workDir.resolve(TRAINING), "training"));
        List<TrainingPair> validation = List.of();
        if (job.validationFile() != null) {
            validation = pairFiles.read(existing(files.pairs(job.validationFile()), "validation"));
        } else if (Files.exists(workDir.resolve(VALIDATION))) {
            validation = pairFiles.read(workDir.resolve(VALIDATION));
        }
        JobHyperparameters hyperparameters = JobHyperparameters.fromStored(json.readTree(job.hyperparametersJson()));
        return new TrainingJob(job.id(), job.model(), base, hyperparameters.toDpo(), job.seed(), training, validation,
                workDir);
    }

    private static Path existing(Path pairs, String what) {
        if (!Files.isRegularFile(pairs)) {
            throw new IllegalArgumentException("The " + what + " pairs of this job are no longer stored.");
        }
        return pairs;
    }
}
