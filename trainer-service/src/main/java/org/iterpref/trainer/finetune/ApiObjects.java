package org.iterpref.trainer.finetune;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

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

    /** A page of rows: at most {@code limit} of the {@code limit + 1} read, and whether there were more. */
    record Slice<T>(List<T> data, boolean hasMore, String firstId, String lastId) {

        static <T> Slice<T> of(List<T> rows, int limit, Function<T, String> id) {
            List<T> data = List.copyOf(rows.size() > limit ? rows.subList(0, limit) : rows);
            return new Slice<>(data, rows.size() > limit, data.isEmpty() ? null : id.apply(data.get(0)),
                    data.isEmpty() ? null : id.apply(data.get(data.size() - 1)));
        }
    }

    /** OpenAI's list of jobs. */
    @Schema(name = "FineTuningJobList")
    record JobList(@Schema(allowableValues = "list") String object, List<FineTuningJobObject> data,
                   @JsonProperty("has_more") boolean hasMore,
                   @JsonProperty("first_id") @Schema(nullable = true) String firstId,
                   @JsonProperty("last_id") @Schema(nullable = true) String lastId) {

        static JobList of(Slice<FineTuningJobObject> page) {
            return new JobList("list", page.data(), page.hasMore(), page.firstId(), page.lastId());
        }
    }

    /** OpenAI's list of job events. */
    @Schema(name = "FineTuningJobEventList")
    record EventList(@Schema(allowableValues = "list") String object, List<JobEvent> data,
                     @JsonProperty("has_more") boolean hasMore,
                     @JsonProperty("first_id") @Schema(nullable = true) String firstId,
                     @JsonProperty("last_id") @Schema(nullable = true) String lastId) {

        static EventList of(Slice<JobEvent> page) {
            return new EventList("list", page.data(), page.hasMore(), page.firstId(), page.lastId());
        }
    }

    /** OpenAI's list of job checkpoints. */
    @Schema(name = "FineTuningJobCheckpointList")
    record CheckpointList(@Schema(allowableValues = "list") String object, List<Checkpoint> data,
                          @JsonProperty("has_more") boolean hasMore,
                          @JsonProperty("first_id") @Schema(nullable = true) String firstId,
                          @JsonProperty("last_id") @Schema(nullable = true) String lastId) {

        static CheckpointList of(Slice<Checkpoint> page) {
            return new CheckpointList("list", page.data(), page.hasMore(), page.firstId(), page.lastId());
        }
    }

    /** The metric rows of a job (extension): each the engine's row, with {@code id} ({@code ftmetric-N}) and {@code kind}. */
    @Schema(name = "FineTuningJobMetricList")
    record MetricList(@Schema(allowableValues = "list") String object,
                      @Schema(description = "rows: id, kind (train or eval), and the engine's TRL-named values")
                      List<Map<String, Object>> data,
                      @JsonProperty("has_more") boolean hasMore,
                      @JsonProperty("first_id") @Schema(nullable = true) String firstId,
                      @JsonProperty("last_id") @Schema(nullable = true) String lastId) {

        static MetricList of(Slice<Map<String, Object>> page) {
            return new MetricList("list", page.data(), page.hasMore(), page.firstId(), page.lastId());
        }
    }
}
