package org.iterpref.trainer.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.iterpref.trainer.HttpApi;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A job's whole life over HTTP with the fake engine: queued, running, succeeded; what it
 * reported (events, checkpoints, metrics, Prometheus); its checkpoints and final model answering
 * chat completions; cancelling a running and a queued job; an engine refusing the data.
 */
class FineTuningLifecycleApiTest extends FineTuningContext {

    private String chat(String model) throws Exception {
        HttpApi.Reply reply = api.post("/v1/chat/completions", Map.of("model", model, "max_tokens", 6,
                "temperature", 0, "messages", List.of(Map.of("role", "user", "content", "def add(a, b):"))));
        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        return reply.body().at("/choices/0/message/content").asString();
    }

    @Test
    void givenAFile_whenAJobRuns_thenItIsQueuedRunningSucceededAndItsModelsAreServed() throws Exception {
        String training = upload(6, null);
        String validation = upload(2, null);
        engine.stepDelayMs = 150;
        HttpApi.Reply created = api.post("/v1/fine_tuning/jobs", Map.of("model", "tiny-qwen2",
                "training_file", training, "validation_file", validation, "suffix", "life", "seed", 3,
                "method", dpo("beta", 0.2, "n_epochs", 2, "batch_size", 2, "checkpoint_every", 2)));
        assertThat(created.body().get("status").asString()).isEqualTo("queued");
        String id = created.body().get("id").asString();

        List<String> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(30)).until(() -> {
            String status = job(id).get("status").asString();
            if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(status)) {
                seen.add(status);
            }
            return status.equals("succeeded") || status.equals("failed");
        });
        assertThat(seen).containsSubsequence("running", "succeeded").doesNotContain("failed");

        JsonNode job = job(id);
        String model = "ft:tiny-qwen2:life:" + id;
        assertThat(job.get("fine_tuned_model").asString()).isEqualTo(model);
        assertThat(job.get("trained_tokens").asLong()).isEqualTo(6 * 2 * 100);
        assertThat(job.get("finished_at").asLong()).isGreaterThanOrEqualTo(job.get("created_at").asLong());
        assertThat(job.get("error").isNull()).isTrue();
        assertThat(engine.runsOf(id)).singleElement().satisfies(run -> {
            assertThat(run.training()).hasSize(6);
            assertThat(run.validation()).hasSize(2);
            assertThat(run.seed()).isEqualTo(3);
            assertThat(run.hyperparameters().beta()).isEqualTo(0.2);
            assertThat(run.hyperparameters().learningRate()).isEqualTo(5e-6);
            assertThat(run.workDir()).endsWith(java.nio.file.Path.of("jobs", id));
        });

        List<JsonNode> events = events(id);
        assertThat(events).extracting(e -> e.get("object").asString()).containsOnly("fine_tuning.job.event");
        List<Long> ids = events.stream().map(e -> Long.parseLong(e.get("id").asString().substring(8))).toList();
        assertThat(ids).as("newest first").isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(events).extracting(e -> e.get("message").asString()).contains("Created fine-tuning job: " + id,
                "Fine-tuning job started", "Checkpoint created at step 4: " + model + ":ckpt-step-4",
                "New fine-tuned model created: " + model, "The job has successfully completed");
        assertThat(events.get(0).get("message").asString()).isEqualTo("The job has successfully completed");
        JsonNode metricsEvent = events.stream().filter(e -> e.get("type").asString().equals("metrics")
                && e.at("/data/train_loss").isNumber()).findFirst().orElseThrow();
        assertThat(metricsEvent.at("/data/step").asInt()).isBetween(1, 6);
        JsonNode firstPage = api.get("/v1/fine_tuning/jobs/" + id + "/events?limit=3").body();
        assertThat(firstPage.get("has_more").asBoolean()).isTrue();
        JsonNode secondPage = api.get("/v1/fine_tuning/jobs/" + id + "/events?limit=3&after="
                + firstPage.get("data").get(2).get("id").asString()).body();
        assertThat(secondPage.get("data").get(0).get("id").asString()).isEqualTo(events.get(3).get("id").asString());

        JsonNode checkpoints = api.get("/v1/fine_tuning/jobs/" + id + "/checkpoints").body().get("data");
        assertThat(checkpoints).hasSize(3);
        assertThat(checkpoints.valueStream().map(c -> c.get("step_number").asInt())).containsExactly(6, 4, 2);
        JsonNode newest = checkpoints.get(0);
        assertThat(newest.get("object").asString()).isEqualTo("fine_tuning.job.checkpoint");
        assertThat(newest.get("id").asString()).startsWith("ftckpt-");
        assertThat(newest.get("fine_tuning_job_id").asString()).isEqualTo(id);
        assertThat(newest.get("fine_tuned_model_checkpoint").asString()).isEqualTo(model + ":ckpt-step-6");
        assertThat(newest.at("/metrics/step").asDouble()).isEqualTo(6.0);
        assertThat(newest.at("/metrics/train_loss").asDouble()).isEqualTo(0.6931 / 1.6, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(newest.at("/metrics/full_valid_loss").isNumber()).as("the epoch-1 evaluation before it").isTrue();

        JsonNode rows = api.get("/v1/fine_tuning/jobs/" + id + "/metrics").body().get("data");
        List<JsonNode> train = rows.valueStream().filter(r -> r.get("kind").asString().equals("train")).toList();
        List<JsonNode> eval = rows.valueStream().filter(r -> r.get("kind").asString().equals("eval")).toList();
        assertThat(train).extracting(r -> r.get("step").asInt()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(train.get(0).propertyNames()).contains("loss", "nll_loss", "rewards/chosen", "rewards/rejected",
                "rewards/accuracies", "rewards/margins", "logps/chosen", "logps/rejected", "grad_norm", "learning_rate",
                "epoch", "tokens_per_second");
        assertThat(eval).extracting(r -> r.get("step").asInt()).containsExactly(3, 6);
        assertThat(eval.get(0).has("eval_loss")).isTrue();

        String base = chat("tiny-qwen2");
        assertThat(chat(model + ":ckpt-step-2")).as("the fake engine's checkpoints are copies of the base").isEqualTo(base);
        assertThat(chat(model)).isEqualTo(base);
        assertThat(api.get("/v1/models/" + model).body().get("source").asString()).isEqualTo("fine-tuning");

        String prometheus = api.get("/actuator/prometheus").raw();
        assertThat(prometheus).containsPattern("trainer_finetune_steps_total\\{[^}]*} [1-9]")
                .containsPattern("trainer_finetune_jobs\\{[^}]*status=\"succeeded\"[^}]*} [1-9]");
    }

    @Test
    void givenARunningJob_whenCancelled_thenItStopsAtItsNextStepWhileAQueuedOneEndsAtOnce() throws Exception {
        String file = upload(6, null);
        engine.stepDelayMs = 200;
        String running = create(Map.of("model", "tiny-qwen2", "training_file", file,
                "method", dpo("n_epochs", 20, "batch_size", 2)));
        await().atMost(Duration.ofSeconds(30)).until(() ->
                api.get("/v1/fine_tuning/jobs/" + running + "/metrics").body().get("data").size() >= 2);
        String queued = create(Map.of("model", "tiny-qwen2", "training_file", file));
        CompletableFuture<HttpApi.Events> stream = CompletableFuture.supplyAsync(() -> {
            try {
                return api.stream("/v1/fine_tuning/jobs/" + running + "/events?stream=true");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(api.get("/actuator/prometheus").raw()).contains("trainer_finetune_loss{", "job=\"" + running + "\"");

        JsonNode cancelledQueued = api.post("/v1/fine_tuning/jobs/" + queued + "/cancel", (String) null).body();
        assertThat(cancelledQueued.get("status").asString()).isEqualTo("cancelled");
        JsonNode asked = api.post("/v1/fine_tuning/jobs/" + running + "/cancel", (String) null).body();
        assertThat(asked.get("status").asString()).isEqualTo("running");

        JsonNode job = awaitStatus(running, "cancelled");
        assertThat(job.get("finished_at").isNull()).isFalse();
        assertThat(job.get("fine_tuned_model").isNull()).isTrue();
        assertThat(engine.stoppedBefore(running)).isLessThan(60);
        assertThat(engine.runsOf(queued)).as("the queued job never ran").isEmpty();
        assertThat(events(running)).extracting(e -> e.get("message").asString())
                .contains("Job cancellation requested: the job stops at its next step", "The job was cancelled");

        HttpApi.Events streamed = stream.get();
        assertThat(streamed.contentType()).startsWith("text/event-stream");
        assertThat(streamed.done()).as("the stream ends with the job").isTrue();
        List<Long> order = streamed.events().stream().map(e -> Long.parseLong(e.get("id").asString().substring(8)))
                .toList();
        assertThat(order).as("oldest first, each once").isSorted().doesNotHaveDuplicates();
        assertThat(streamed.events()).extracting(e -> e.get("message").asString())
                .contains("Created fine-tuning job: " + running, "The job was cancelled");
        assertThat(streamed.events()).hasSize(events(running).size());
        assertThat(api.get("/actuator/prometheus").raw()).doesNotContain("job=\"" + running + "\"");
    }

    @Test
    void givenDataTheEngineRefuses_whenTheJobRuns_thenItFailsWithTheEnginesMessage() throws Exception {
        String file = upload(2, FakeEngine.REFUSE);

        String id = create(Map.of("model", "tiny-qwen2", "training_file", file));

        JsonNode job = awaitStatus(id, "failed");
        assertThat(job.at("/error/code").asString()).isEqualTo("invalid_training_data");
        assertThat(job.at("/error/message").asString()).contains("no pair fits");
        assertThat(job.get("fine_tuned_model").isNull()).isTrue();
        assertThat(events(id).get(0).get("level").asString()).isEqualTo("error");
    }
}
