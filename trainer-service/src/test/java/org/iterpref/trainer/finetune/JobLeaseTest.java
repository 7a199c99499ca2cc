package org.iterpref.trainer.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.iterpref.trainer.HttpApi;
import org.iterpref.trainer.TrainerApplication;
import org.iterpref.trainer.config.FineTuningProperties;
import org.iterpref.trainer.dpo.FineTuningEngine;
import org.iterpref.trainer.dpo.TrainingJob;
import org.iterpref.trainer.serving.ModelRegistry;
import org.iterpref.trainer.storage.Storage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The lease: two owners never run the same job; a crashed owner's job is claimed again once its
 * lease expires and resumes in the same work directory; a graceful stop hands a job back at once;
 * a worker that lost its lease stops and writes nothing more. The application's own worker is off
 * here ({@code workers: 0}); the tests run workers and claims of their own against its database.
 */
@SpringBootTest(classes = TrainerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "iterpref.trainer.fine-tuning.workers=0")
@Import(FakeEngineConfiguration.class)
class JobLeaseTest {

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    @Autowired
    JobQueue queue;

    @Autowired
    JobHistory history;

    @Autowired
    Storage storage;

    @Autowired
    FakeEngine engine;

    @Autowired
    JdbcClient jdbc;

    private HttpApi api;
    private String file;

    @BeforeEach
    void uploadPairs() throws Exception {
        api = new HttpApi(port);
        engine.stepDelayMs = 0;
        // leave no claimable job behind from another test
        jdbc.sql("update fine_tuning_jobs set status = 'cancelled' where status in ('queued', 'running')").update();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            lines.append(FineTuningContext.trlLine(i)).append('\n');
        }
        file = api.upload("pairs.jsonl", lines.toString().getBytes(StandardCharsets.UTF_8), "purpose", "fine-tune")
                .body().get("id").asString();
    }

    private String createJob(int epochs) throws Exception {
        HttpApi.Reply reply = api.post("/v1/fine_tuning/jobs", Map.of("model", "tiny-qwen2", "training_file", file,
                "method", FineTuningContext.dpo("n_epochs", epochs, "batch_size", 1, "checkpoint_every", 2)));
        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        return reply.body().get("id").asString();
    }

    private JsonNode job(String id) throws Exception {
        return api.get("/v1/fine_tuning/jobs/" + id).body();
    }

    /** A worker of its own: another instance sharing this database. */
    private FineTuningWorker worker(String instance, int leaseSeconds) {
        FineTuningProperties base = context.getBean(FineTuningProperties.class);
        FineTuningProperties properties = new FineTuningProperties(base.storage(), base.maxFileBytes(), base.files(),
                base.embeddedPostgres(), new FineTuningProperties.Worker(1, leaseSeconds, instance, 50L, 5, 5000L),
                base.pairFeeds());
        return new FineTuningWorker(queue, context.getBean(JobInputs.class), history,
                context.getBean(FineTuningMetrics.class), context.getBean(ModelRegistry.class), storage, properties,
                context.getBeanProvider(FineTuningEngine.class));
    }

    @Test
    void givenTwoOwnersClaimingAtOnce_whenJobsAreQueued_thenNoJobIsClaimedTwice() throws Exception {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            created.add(createJob(1));
        }

        CompletableFuture<List<String>> a = CompletableFuture.supplyAsync(() -> claimAll("owner-a"));
        CompletableFuture<List<String>> b = CompletableFuture.supplyAsync(() -> claimAll("owner-b"));
        List<String> byA = a.get();
        List<String> byB = b.get();

        Set<String> overlap = new HashSet<>(byA);
        overlap.retainAll(byB);
        assertThat(overlap).isEmpty();
        assertThat(byA.size() + byB.size()).isEqualTo(created.size());
        Set<String> all = new HashSet<>(byA);
        all.addAll(byB);
        assertThat(all).containsExactlyInAnyOrderElementsOf(created);
        assertThat(queue.claimTraining("owner-c", 60)).isEmpty();
        for (String id : byA) {
            assertThat(queue.finish(id, "owner-b", JobStatus.RUNNING, JobStatus.CANCELLED, null, null))
                    .as("only the holder ends a job").isFalse();
            assertThat(queue.finish(id, "owner-a", JobStatus.RUNNING, JobStatus.CANCELLED, null, null)).isTrue();
        }
        byB.forEach(id -> queue.finish(id, "owner-b", JobStatus.RUNNING, JobStatus.CANCELLED, null, null));
    }

    private List<String> claimAll(String owner) {
        List<String> claimed = new ArrayList<>();
        for (Optional<JobQueue.Claim> claim = queue.claimTraining(owner, 60); claim.isPresent();
             claim = queue.claimTraining(owner, 60)) {
            claimed.add(claim.get().jobId());
        }
        return claimed;
    }

    @Test
    void givenAnOwnerThatDiedMidJob_whenItsLeaseExpires_thenAnotherClaimsItAndResumesInTheSameWorkDir()
            throws Exception {
        String id = createJob(2);
        JobQueue.Claim dead = queue.claimTraining("dead-instance", 1).orElseThrow();
        assertThat(dead.jobId()).isEqualTo(id);
        Path workDir = storage.jobDir(id);
        // what the dead instance's engine left: a complete checkpoint of step 2
        FakeEngine.copy(context.getBean(ModelRegistry.class).directory("tiny-qwen2").orElseThrow(),
                workDir.resolve("checkpoints/step-2"));
        assertThat(queue.claimTraining("survivor", 3)).as("not while the lease holds").isEmpty();

        FineTuningWorker survivor = worker("survivor", 3);
        survivor.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> job(id).get("status").asString().equals("succeeded"));
        } finally {
            survivor.stop();
        }

        List<TrainingJob> runs = engine.runsOf(id);
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).workDir()).isEqualTo(workDir);
        assertThat(engine.resumedFrom(id)).isEqualTo(2);
        JsonNode rows = api.get("/v1/fine_tuning/jobs/" + id + "/metrics").body().get("data");
        assertThat(rows.valueStream().map(r -> r.get("step").asInt())).containsExactly(3, 4, 5, 6, 7, 8);
        assertThat(api.get("/v1/fine_tuning/jobs/" + id + "/events?limit=100").body().get("data").valueStream()
                .map(e -> e.get("message").asString())).contains("Fine-tuning job resumed (attempt 2)");
        assertThat(queue.heartbeat(id, "dead-instance", JobStatus.RUNNING, 30)).as("the dead owner's lease is gone")
                .isEmpty();
        assertThat(history.event(id, "dead-instance", JobStatus.RUNNING, "info", "message", "late write", null))
                .isFalse();
        assertThat(queue.trainedTokens(id, "dead-instance", 1)).isFalse();
    }

    @Test
    void givenARunningJob_whenItsWorkerStopsGracefully_thenTheJobIsHandedBackAtOnceAndResumedElsewhere()
            throws Exception {
        engine.stepDelayMs = 100;
        String id = createJob(10);
        FineTuningWorker first = worker("first", 30);
        first.start();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                api.get("/v1/fine_tuning/jobs/" + id + "/metrics").body().get("data").size() >= 5);

        first.stop();

        JsonNode handedBack = job(id);
        assertThat(handedBack.get("status").asString()).isEqualTo("queued");
        assertThat(jdbc.sql("select lease_owner from fine_tuning_jobs where id = ?").param(id).query(String.class)
                .optional()).isEmpty();
        assertThat(engine.stoppedBefore(id)).isNotNull();
        FineTuningWorker second = worker("second", 30);
        second.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> job(id).get("status").asString().equals("succeeded"));
        } finally {
            second.stop();
        }
        assertThat(engine.runsOf(id)).hasSize(2).extracting(TrainingJob::workDir).containsOnly(storage.jobDir(id));
        assertThat(engine.resumedFrom(id)).isPositive();
    }

    @Test
    void givenAWorkerWhoseLeaseWasTaken_whenItNextChecks_thenItStopsAndWritesNothingMore() throws Exception {
        engine.stepDelayMs = 100;
        String id = createJob(20);
        FineTuningWorker loser = worker("loser", 30);
        loser.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> loser.activeJobs().contains(id));
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    api.get("/v1/fine_tuning/jobs/" + id + "/metrics").body().get("data").size() >= 2);

            jdbc.sql("update fine_tuning_jobs set lease_owner = 'thief' where id = ?").param(id).update();

            await().atMost(Duration.ofSeconds(10)).until(() -> engine.stoppedBefore(id) != null);
            await().atMost(Duration.ofSeconds(10)).until(() -> loser.activeJobs().isEmpty());
            int rows = api.get("/v1/fine_tuning/jobs/" + id + "/metrics").body().get("data").size();
            Thread.sleep(500);
            assertThat(api.get("/v1/fine_tuning/jobs/" + id + "/metrics").body().get("data").size()).isEqualTo(rows);
            JsonNode job = job(id);
            assertThat(job.get("status").asString()).as("the job is the thief's, untouched").isEqualTo("running");
        } finally {
            loser.stop();
            jdbc.sql("update fine_tuning_jobs set status = 'cancelled' where id = ?").param(id).update();
        }
    }
}
