package org.iterpref.trainer.finetune;

import java.nio.file.Path;
import java.util.Optional;
import org.iterpref.trainer.serving.ModelLocator;
import org.iterpref.trainer.serving.ModelRegistry;
import org.iterpref.trainer.storage.Storage;
import org.springframework.stereotype.Component;

/**
 * The served ids of what jobs make, in OpenAI's {@code ft:} shape: {@code ft:<base>:<suffix>:<job id>}
 * for the final model ({@code ft:<base>::<job id>} without a suffix) and
 * {@code ft:<base>:<suffix>:<job id>:ckpt-step-<n>} for a checkpoint — ids the model registry's
 * name rule accepts. After a restart they are found again here, in the database, and loaded on
 * the first request for them.
 */
@Component
class FineTunedModels implements ModelLocator {

    /** Room an id keeps for the checkpoint tail ({@code :ckpt-step-} and up to 10 digits). */
    static final int CHECKPOINT_TAIL = ":ckpt-step-".length() + 10;
    private static final String PREFIX = "ft:";

    private final JobHistory history;
    private final Storage storage;

    FineTunedModels(JobHistory history, Storage storage) {
        this.history = history;
        this.storage = storage;
    }

    static String modelId(String base, String suffix, String jobId) {
        return PREFIX + base + ":" + (suffix == null ? "" : suffix) + ":" + jobId;
    }

    static String checkpointId(String base, String suffix, String jobId, int step) {
        return modelId(base, suffix, jobId) + ":ckpt-step-" + step;
    }

    /** Whether every id a job with these names could make is a valid served-model id. */
    static boolean fits(String base, String suffix, String jobId) {
        String longest = modelId(base, suffix, jobId) + "x".repeat(CHECKPOINT_TAIL);
        return ModelRegistry.isValidName(longest.substring(0, longest.length() - CHECKPOINT_TAIL))
                && longest.length() <= 128;
    }

    @Override
    public Optional<Path> locate(String name) {
        if (name == null || !name.startsWith(PREFIX) || !ModelRegistry.isValidName(name)) {
            return Optional.empty();
        }
        return history.modelDirectory(name).flatMap(storage::resolve);
    }
}
