package org.iterpref.trainer.finetune;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** OpenAI's fine-tuning jobs API (method {@code dpo}), plus the metrics of a job. */
@RestController
@RequestMapping(path = "/v1/fine_tuning/jobs", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Fine-tuning (OpenAI-compatible)")
class FineTuningController {

    private final FineTuningJobs jobs;
    private final JobEventStream events;

    FineTuningController(FineTuningJobs jobs, JobEventStream events) {
        this.jobs = jobs;
        this.events = events;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Create a focal DPO fine-tuning job",
            description = "{\"model\", \"training_file\" | \"pairs\": {\"feed\", \"run\", \"set\", \"include_synthetic\", "
                    + "\"limit\", \"validation_split\"}, \"validation_file\", \"method\": {\"type\": \"dpo\", \"dpo\": "
                    + "{\"hyperparameters\": {\"n_epochs\", \"batch_size\", \"learning_rate_multiplier\", \"beta\", "
                    + "\"learning_rate\", \"focal\", \"nll_alpha\", \"max_length\", \"max_prompt_length\", "
                    + "\"warmup_ratio\", \"gradient_accumulation_steps\", \"max_grad_norm\", \"weight_decay\", "
                    + "\"checkpoint_every\", \"prompt_format\", \"reference\"}}}, \"seed\", \"suffix\", \"metadata\"}. "
                    + "Errors name the field in param, e.g. method.dpo.hyperparameters.beta.")
    FineTuningJobObject create(@RequestBody JsonNode body) {
        return jobs.create(body);
    }

    @GetMapping
    @Operation(summary = "Jobs, newest first")
    ApiObjects.JobList list(@RequestParam(required = false) String after,
                                                  @RequestParam(defaultValue = "20") int limit) {
        return jobs.list(after, limit);
    }

    @GetMapping("/{id}")
    @Operation(summary = "One job")
    FineTuningJobObject get(@PathVariable String id) {
        return jobs.get(id);
    }

    @PostMapping("/{id}/cancel")
    @Operation(summary = "Cancel a job: at once when it has not started, at its next step when it runs")
    FineTuningJobObject cancel(@PathVariable String id) {
        return jobs.cancel(id);
    }

    @GetMapping(path = "/{id}/events", produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.TEXT_EVENT_STREAM_VALUE})
    @Operation(summary = "The job's events, newest first; stream=true: Server-Sent Events as they happen",
            description = "The stream sends every event oldest first as data: <fine_tuning.job.event>, and "
                    + "data: [DONE] when the job has ended.")
    @ApiResponse(responseCode = "200", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = ApiObjects.EventList.class)),
            @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
                    schema = @Schema(implementation = ApiObjects.JobEvent.class))})
    Object events(@PathVariable String id, @RequestParam(required = false) String after,
                  @RequestParam(defaultValue = "20") int limit,
                  @Parameter(description = "Server-Sent Events instead of a page") @RequestParam(defaultValue = "false")
                  boolean stream) {
        if (stream) {
            return events.subscribe(id);
        }
        return jobs.events(id, after, limit);
    }

    @GetMapping("/{id}/checkpoints")
    @Operation(summary = "The job's checkpoints, newest step first; each is served as its fine_tuned_model_checkpoint")
    ApiObjects.CheckpointList checkpoints(@PathVariable String id,
                                                           @RequestParam(required = false) String after,
                                                           @RequestParam(defaultValue = "10") int limit) {
        return jobs.checkpoints(id, after, limit);
    }

    @GetMapping("/{id}/metrics")
    @Operation(summary = "Extension: every metric row the engine reported, in order (TRL names: loss, nll_loss, "
            + "rewards/chosen, rewards/rejected, rewards/accuracies, rewards/margins, logps/chosen, logps/rejected, "
            + "grad_norm, learning_rate, epoch, step, tokens_per_second; eval_* rows for validation)")
    ApiObjects.MetricList metrics(@PathVariable String id,
                                                     @RequestParam(required = false) String after,
                                                     @RequestParam(defaultValue = "1000") int limit) {
        return jobs.metrics(id, after, limit);
    }
}
