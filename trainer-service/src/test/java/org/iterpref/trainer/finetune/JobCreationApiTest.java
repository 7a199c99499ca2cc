package org.iterpref.trainer.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.iterpref.trainer.ApiOnlyContext;
import org.iterpref.trainer.HttpApi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/fine_tuning/jobs} on an API-only instance: what a valid request stores and
 * shows, and every refusal with the field at fault in {@code param}.
 */
class JobCreationApiTest extends ApiOnlyContext {

    private String fileId;

    @BeforeEach
    void uploadAFile() throws Exception {
        String line = HttpApi.JSON.writeValueAsString(Map.of("prompt", "Write add.", "chosen", "return a + b\n",
                "rejected", "return a - b\n"));
        fileId = api.upload("pairs.jsonl", (line + "\n" + line + "\n").getBytes(StandardCharsets.UTF_8),
                "purpose", "fine-tune").body().get("id").asString();
    }

    private Map<String, Object> request(Object... more) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", "tiny-qwen2");
        body.put("training_file", fileId);
        for (int i = 0; i + 1 < more.length; i += 2) {
            body.put((String) more[i], more[i + 1]);
        }
        return body;
    }

    private static Map<String, Object> dpo(Object... hyperparameters) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i + 1 < hyperparameters.length; i += 2) {
            values.put((String) hyperparameters[i], hyperparameters[i + 1]);
        }
        return Map.of("type", "dpo", "dpo", Map.of("hyperparameters", values));
    }

    private void assertRefused(Object body, String param) throws Exception {
        HttpApi.Reply reply = api.post("/v1/fine_tuning/jobs", body);
        assertThat(reply.status()).as(reply.raw()).isEqualTo(400);
        assertThat(reply.contentType()).startsWith("application/json");
        assertThat(reply.body().at("/error/type").asString()).isEqualTo("invalid_request_error");
        assertThat(reply.body().at("/error/message").asString()).isNotBlank();
        assertThat(reply.errorParam()).as(reply.raw()).isEqualTo(param);
    }

    @Test
    void givenADpoRequest_whenCreated_thenTheJobIsQueuedWithResolvedHyperparametersAndShownAsOpenAiDoes()
            throws Exception {
        HttpApi.Reply reply = api.post("/v1/fine_tuning/jobs", request("method", dpo("beta", 0.2, "n_epochs", "auto",
                "learning_rate_multiplier", 2, "checkpoint_every", 5, "focal", false), "suffix", "my-run_1",
                "metadata", Map.of("team", "eval")));

        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        JsonNode job = reply.body();
        String id = job.get("id").asString();
        assertThat(id).startsWith("ftjob-");
        assertThat(job.get("object").asString()).isEqualTo("fine_tuning.job");
        assertThat(job.get("status").asString()).isEqualTo("queued");
        assertThat(job.get("model").asString()).isEqualTo("tiny-qwen2");
        assertThat(job.get("training_file").asString()).isEqualTo(fileId);
        assertThat(job.get("validation_file").isNull()).isTrue();
        assertThat(job.get("fine_tuned_model").isNull()).isTrue();
        assertThat(job.get("finished_at").isNull()).isTrue();
        assertThat(job.get("error").isNull()).isTrue();
        assertThat(job.get("result_files")).isEmpty();
        assertThat(job.get("integrations")).isEmpty();
        assertThat(job.get("organization_id").asString()).isNotBlank();
        assertThat(job.get("user_provided_suffix").asString()).isEqualTo("my-run_1");
        assertThat(job.get("metadata").get("team").asString()).isEqualTo("eval");
        assertThat(job.get("seed").isIntegralNumber()).as("a random seed is drawn and stored").isTrue();
        assertThat(job.get("hyperparameters").get("n_epochs").asInt()).isEqualTo(2);
        assertThat(job.get("hyperparameters").get("learning_rate_multiplier").asDouble()).isEqualTo(2.0);
        assertThat(job.at("/method/type").asString()).isEqualTo("dpo");
        JsonNode hyperparameters = job.at("/method/dpo/hyperparameters");
        assertThat(hyperparameters.get("beta").asDouble()).isEqualTo(0.2);
        assertThat(hyperparameters.get("learning_rate").asDouble()).isEqualTo(5e-6);
        assertThat(hyperparameters.get("checkpoint_every").asInt()).isEqualTo(5);
        assertThat(hyperparameters.get("focal").asBoolean()).isFalse();
        assertThat(hyperparameters.get("batch_size").asInt()).isEqualTo(8);
        assertThat(hyperparameters.get("prompt_format").asString()).isEqualTo("auto");

        JsonNode again = api.get("/v1/fine_tuning/jobs/" + id).body();
        assertThat(again.get("seed").asLong()).isEqualTo(job.get("seed").asLong());
        assertThat(again.get("method")).isEqualTo(job.get("method"));
        JsonNode events = api.get("/v1/fine_tuning/jobs/" + id + "/events").body().get("data");
        assertThat(events.get(events.size() - 1).get("message").asString()).isEqualTo("Created fine-tuning job: " + id);
    }

    @Test
    void givenOpenAisLegacyHyperparameters_whenCreated_thenTheyAreRead() throws Exception {
        HttpApi.Reply reply = api.post("/v1/fine_tuning/jobs", request("hyperparameters",
                Map.of("n_epochs", 3, "batch_size", "auto", "learning_rate_multiplier", 0.5), "seed", 42));

        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        assertThat(reply.body().at("/method/dpo/hyperparameters/n_epochs").asInt()).isEqualTo(3);
        assertThat(reply.body().at("/hyperparameters/learning_rate_multiplier").asDouble()).isEqualTo(0.5);
        assertThat(reply.body().get("seed").asLong()).isEqualTo(42);
    }

    @Test
    void givenBadRequests_whenCreated_thenEachIsRefusedNamingItsField() throws Exception {
        assertRefused(request("model", "no-such-model"), "model");
        assertRefused(Map.of("training_file", fileId), "model");
        assertRefused(request("method", dpo("learning_rate", -1e-5)), "method.dpo.hyperparameters.learning_rate");
        assertRefused(request("method", dpo("beta", 0)), "method.dpo.hyperparameters.beta");
        assertRefused(request("method", dpo("beta", -0.1)), "method.dpo.hyperparameters.beta");
        assertRefused(request("method", dpo("beta", "high")), "method.dpo.hyperparameters.beta");
        assertRefused(request("method", dpo("batch_size", 0)), "method.dpo.hyperparameters.batch_size");
        assertRefused(request("method", dpo("n_epochs", 1.5)), "method.dpo.hyperparameters.n_epochs");
        assertRefused(request("method", dpo("gradient_accumulation_steps", 3)),
                "method.dpo.hyperparameters.gradient_accumulation_steps");
        assertRefused(request("method", dpo("max_length", 512, "max_prompt_length", 600)),
                "method.dpo.hyperparameters.max_prompt_length");
        assertRefused(request("method", dpo("prompt_format", "xml")), "method.dpo.hyperparameters.prompt_format");
        assertRefused(request("method", dpo("temperature", 1)), "method.dpo.hyperparameters.temperature");
        assertRefused(request("method", Map.of("type", "supervised")), "method.type");
        assertRefused(request("method", Map.of("type", "dpo", "supervised", Map.of())), "method.supervised");
        assertRefused(request("hyperparameters", Map.of("beta", 0.1)), "hyperparameters.beta");
        assertRefused(request("hyperparameters", Map.of("n_epochs", 0)), "hyperparameters.n_epochs");
        assertRefused(request("hyperparameters", Map.of("n_epochs", 2), "method", dpo("beta", 0.1)),
                "hyperparameters");
        assertRefused(Map.of("model", "tiny-qwen2"), "training_file");
        assertRefused(request("training_file", "file-doesnotexist0000000000"), "training_file");
        assertRefused(request("training_file", 7), "training_file");
        assertRefused(request("validation_file", "file-doesnotexist0000000000"), "validation_file");
        assertRefused(request("colour", "blue"), "colour");
        assertRefused(request("suffix", "bad suffix!"), "suffix");
        assertRefused(request("suffix", "x".repeat(65)), "suffix");
        assertRefused(request("seed", -1), "seed");
        assertRefused(request("metadata", Map.of("k", 1)), "metadata");
        assertRefused(request("integrations", List.of(Map.of("type", "wandb"))), "integrations");
        assertThat(api.post("/v1/fine_tuning/jobs", "[1]").errorParam()).isNull();
        assertThat(api.post("/v1/fine_tuning/jobs", "{not json").status()).isEqualTo(400);
    }

    @Test
    void givenPairFeedsOutsideTheAllowList_whenCreated_thenTheyAreRefusedAndNothingIsFetched() throws Exception {
        for (String feed : List.of("http://169.254.169.254/latest/meta-data", "http://127.0.0.1:8083/v1/pairs",
                "https://127.0.0.1:8082/v1/pairs", "http://127.0.0.1:8082@evil.example/v1/pairs",
                "http://127.0.0.1:8082.evil.example/v1/pairs", "file:///etc/passwd", "http://127.0.0.1:8082/v1/pairs?x=1",
                "http://[::1]:8082/v1/pairs", "not a url")) {
            assertRefused(Map.of("model", "tiny-qwen2", "pairs", Map.of("feed", feed)), "pairs.feed");
        }
        assertRefused(Map.of("model", "tiny-qwen2", "pairs", Map.of()), "pairs.feed");
        assertRefused(Map.of("model", "tiny-qwen2", "pairs", Map.of("feed", 7)), "pairs.feed");
        assertRefused(Map.of("model", "tiny-qwen2", "pairs", Map.of("feed", "http://127.0.0.1:8082/v1/pairs",
                "limit", 0)), "pairs.limit");
        assertRefused(Map.of("model", "tiny-qwen2", "pairs", Map.of("feed", "http://127.0.0.1:8082/v1/pairs",
                "validation_split", 0.9)), "pairs.validation_split");
        assertRefused(Map.of("model", "tiny-qwen2", "pairs", Map.of("feed", "http://127.0.0.1:8082/v1/pairs",
                "run", "not-a-uuid")), "pairs.run");
        assertRefused(Map.of("model", "tiny-qwen2", "pairs", Map.of("feed", "http://127.0.0.1:8082/v1/pairs",
                "headers", Map.of())), "pairs.headers");
        assertRefused(request("pairs", Map.of("feed", "http://127.0.0.1:8082/v1/pairs")), "pairs");
    }

    @Test
    void givenAnAllowedPairFeed_whenCreated_thenTheJobValidatesItsFilesFirst() throws Exception {
        HttpApi.Reply reply = api.post("/v1/fine_tuning/jobs", Map.of("model", "tiny-qwen2", "pairs",
                Map.of("feed", "http://localhost:8082/v1/pairs", "set", "examples", "validation_split", 0.1)));

        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        assertThat(reply.body().get("status").asString()).isEqualTo("validating_files");
        assertThat(reply.body().get("training_file").isNull()).isTrue();
        assertThat(reply.body().at("/pairs/feed").asString()).isEqualTo("http://localhost:8082/v1/pairs");
        assertThat(reply.body().at("/pairs/include_synthetic").asBoolean()).isFalse();
    }

    @Test
    void givenSeveralJobs_whenListed_thenTheyComeNewestFirstInPages() throws Exception {
        String first = api.post("/v1/fine_tuning/jobs", request()).body().get("id").asString();
        String second = api.post("/v1/fine_tuning/jobs", request()).body().get("id").asString();
        String third = api.post("/v1/fine_tuning/jobs", request()).body().get("id").asString();

        JsonNode page = api.get("/v1/fine_tuning/jobs?limit=2").body();
        assertThat(page.get("object").asString()).isEqualTo("list");
        assertThat(page.get("data").valueStream().map(j -> j.get("id").asString())).containsExactly(third, second);
        assertThat(page.get("has_more").asBoolean()).isTrue();
        JsonNode next = api.get("/v1/fine_tuning/jobs?limit=2&after=" + second).body();
        assertThat(next.get("data").get(0).get("id").asString()).isEqualTo(first);
        assertThat(api.get("/v1/fine_tuning/jobs?limit=0").errorParam()).isEqualTo("limit");
        assertThat(api.get("/v1/fine_tuning/jobs/ftjob-nope").status()).isEqualTo(404);
    }

    @Test
    void givenAQueuedJob_whenCancelled_thenItIsCancelledAtOnceAndCannotBeCancelledAgain() throws Exception {
        String id = api.post("/v1/fine_tuning/jobs", request()).body().get("id").asString();

        HttpApi.Reply cancelled = api.post("/v1/fine_tuning/jobs/" + id + "/cancel", (String) null);

        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.body().get("status").asString()).isEqualTo("cancelled");
        assertThat(cancelled.body().get("finished_at").isNull()).isFalse();
        HttpApi.Reply again = api.post("/v1/fine_tuning/jobs/" + id + "/cancel", (String) null);
        assertThat(again.status()).isEqualTo(400);
        assertThat(api.post("/v1/fine_tuning/jobs/ftjob-nope/cancel", (String) null).status()).isEqualTo(404);
    }

    @Test
    void givenTheOpenApiDocument_whenRead_thenTheFilesAndFineTuningEndpointsAreInIt() throws Exception {
        JsonNode doc = api.get("/v3/api-docs").body();

        assertThat(doc.get("paths").propertyNames()).contains("/v1/files", "/v1/files/{id}", "/v1/files/{id}/content",
                "/v1/fine_tuning/jobs", "/v1/fine_tuning/jobs/{id}", "/v1/fine_tuning/jobs/{id}/cancel",
                "/v1/fine_tuning/jobs/{id}/events", "/v1/fine_tuning/jobs/{id}/checkpoints",
                "/v1/fine_tuning/jobs/{id}/metrics");
        assertThat(doc.at("/components/schemas").propertyNames()).contains("FineTuningJob", "FileObject",
                "FineTuningJobEvent", "FineTuningJobCheckpoint", "FineTuningJobList", "FineTuningJobEventList",
                "FineTuningJobCheckpointList", "FineTuningJobMetricList", "FileList");
        assertThat(doc.at("/components/schemas/FineTuningJob/properties").propertyNames())
                .contains("fine_tuned_model", "training_file", "user_provided_suffix", "trained_tokens");
    }

    @Test
    void givenNoFeedAndNoDefaultFeedConfigured_whenCreated_thenItIsRefusedNamingPairsFeed() throws Exception {
        HttpApi.Reply reply = api.post("/v1/fine_tuning/jobs", Map.of("model", "tiny-qwen2", "pairs",
                Map.of("set", "examples", "validation_split", 0.1)));

        assertThat(reply.status()).as(reply.raw()).isEqualTo(400);
        assertThat(reply.errorParam()).isEqualTo("pairs.feed");
        assertThat(reply.body().at("/error/message").asString()).contains("required").contains("default-url");
    }
}
