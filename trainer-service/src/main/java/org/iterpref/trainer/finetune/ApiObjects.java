package org.iterpref.trainer.finetune;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/** The other shapes of the fine-tuning API, as OpenAI defines them. */
final class ApiObjects {

    private ApiObjects() {
    }

    /** OpenAI's {@code fine_tuning.job.event}. */
    @Schema(name = "FineTuningJobEvent")
    record JobEvent(@Schema(allowableValues = "fine_tuning.job.event") String object,
                    @Schema(example = "ftevent-42") String id,
                    @JsonProperty("created_at") long createdAt,
                    @Schema(allowableValues = {"info", "warn", "error"}) String level,
                    String message,
                    @Schema(nullable = true) Map<String, Object> data,
                    @Schema(allowableValues = {"message", "metrics"}) String type) {

        static final String OBJECT = "fine_tuning.job.event";
    }

    /** OpenAI's {@code fine_tuning.job.checkpoint}. */
    @Schema(name = "FineTuningJobCheckpoint")
    record Checkpoint(@Schema(allowableValues = "fine_tuning.job.checkpoint") String object,
                      String id,
                      @JsonProperty("created_at") long createdAt,
                      @JsonProperty("fine_tuned_model_checkpoint") String fineTunedModelCheckpoint,
                      @JsonProperty("fine_tuning_job_id") String fineTuningJobId,
                      @Schema(description = "step, train_loss, valid_loss, full_valid_loss, and the engine's own "
                              + "(TRL names)") Map<String, Object> metrics,
                      @JsonProperty("step_number") long stepNumber) {

        static final String OBJECT = "fine_tuning.job.checkpoint";
    }

    /** OpenAI's list shape. */
    @Schema(name = "FineTuningList")
    record ListPage<T>(@Schema(allowableValues = "list") String object, List<T> data,
                       @JsonProperty("has_more") boolean hasMore,
                       @JsonProperty("first_id") @Schema(nullable = true) String firstId,
                       @JsonProperty("last_id") @Schema(nullable = true) String lastId) {

        static <T> ListPage<T> of(List<T> rows, int limit, java.util.function.Function<T, String> id) {
            List<T> data = rows.size() > limit ? rows.subList(0, limit) : rows;
            return new ListPage<>("list", List.copyOf(data), rows.size() > limit,
                    data.isEmpty() ? null : id.apply(data.get(0)), data.isEmpty() ? null : id.apply(data.get(data.size() - 1)));
        }
    }
}
