package org.iterpref.trainer.finetune;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/** OpenAI's {@code fine_tuning.job} object, with the pair-feed extension when the job reads one. */
@Schema(name = "FineTuningJob", description = "A fine-tuning job (OpenAI's fine_tuning.job object)")
public record FineTuningJobObject(
        @Schema(example = "ftjob-7hG2kLm9QpR3sT5vWx1yZ4aB") String id,
        @Schema(allowableValues = "fine_tuning.job") String object,
        @JsonProperty("created_at") @Schema(description = "Unix seconds") long createdAt,
        @JsonProperty("finished_at") @Schema(nullable = true) Long finishedAt,
        @Schema(description = "the base model") String model,
        @JsonProperty("fine_tuned_model") @Schema(nullable = true, example = "ft:tiny-qwen2:my-run:ftjob-7hG2kLm9QpR3sT5vWx1yZ4aB")
        String fineTunedModel,
        @JsonProperty("organization_id") String organizationId,
        @Schema(allowableValues = {"validating_files", "queued", "running", "succeeded", "failed", "cancelled"})
        String status,
        @Schema(description = "n_epochs, batch_size, learning_rate_multiplier (resolved)") Map<String, Object> hyperparameters,
        @Schema(description = "{\"type\": \"dpo\", \"dpo\": {\"hyperparameters\": {...}}}") Map<String, Object> method,
        @JsonProperty("training_file") @Schema(nullable = true, description = "null for a job reading a pair feed")
        String trainingFile,
        @JsonProperty("validation_file") @Schema(nullable = true) String validationFile,
        @JsonProperty("result_files") List<String> resultFiles,
        @JsonProperty("trained_tokens") @Schema(nullable = true) Long trainedTokens,
        @Schema(nullable = true) JobError error,
        long seed,
        @JsonProperty("estimated_finish") @Schema(nullable = true) Long estimatedFinish,
        List<Object> integrations,
        @JsonProperty("user_provided_suffix") @Schema(nullable = true) String userProvidedSuffix,
        @Schema(nullable = true) Map<String, String> metadata,
        @Schema(nullable = true, description = "extension: the pair feed read, with the pairs it gave "
                + "(training_pairs, validation_pairs) and validation_tasks, the tasks held out whole for validation "
                + "(null when the feed's pairs name no task: then pairs are held out one by one)")
        Map<String, Object> pairs) {

    public static final String OBJECT = "fine_tuning.job";
}
