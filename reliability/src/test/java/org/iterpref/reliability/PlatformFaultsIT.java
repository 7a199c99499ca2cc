package org.iterpref.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * Faults across the real services, on a platform of this suite's own: during a run of bundled tasks
 * through the gateway, PostgreSQL is restarted and the executor killed with SIGKILL; a fine-tuning
 * job's trainer is killed with SIGKILL {@code faults.trainer-kills} times and PostgreSQL restarted
 * while it trains; a gateway replica is
 * killed with SIGKILL while clients submit work and retry on the other. Each is compared with the
 * same work done undisturbed on the same platform: the same trajectories, iterations and pairs, the
 * same final weights; no submission lost or duplicated. Figures go to stdout and
 * {@code target/faults-report.txt}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlatformFaultsIT {

    static final int TASKS = Integer.getInteger("faults.tasks", 24);
    /** Samples per task in the disturbed run (and its reference): enough work that every fault lands mid-run. */
    static final int SAMPLES = 2;
    static final int TRAINER_KILLS = Integer.getInteger("faults.trainer-kills", 3);
    static final Path REPORT = Path.of(System.getProperty("platform.logs", "target/platform-logs")).getParent()
            .resolve("faults-report.txt");

    static PlatformProcesses platform;
    static String key;
    static String undisturbedRun;
    static final List<String> report = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        PlatformProcesses.stopShared();
        long begin = System.nanoTime();
        platform = PlatformProcesses.startOwn("faults", Map.of(
                "generator-service", List.of("--iterpref.generator.lease-seconds=5",
                        "--iterpref.generator.retry-backoff-ms=500", "--iterpref.generator.max-job-attempts=30"),
                "trainer-service", List.of("--iterpref.trainer.fine-tuning.lease-seconds=4",
                        "--iterpref.trainer.fine-tuning.poll-interval-ms=200")));
        key = PlatformApi.createKey(platform, "faults", List.of("read", "submit", "train"), 1_000_000, 100_000)[1];
        note("platform of this suite started in %d s; %d bundled tasks, %d trainer kills", seconds(begin), TASKS,
                TRAINER_KILLS);
    }

    @AfterAll
    static void stop() throws IOException {
        if (platform != null) {
            platform.stop();
        }
        Files.writeString(REPORT, String.join("\n", report) + "\n");
    }

    @Test
    @Order(1)
    void aRunThroughADatabaseRestartAndAnExecutorKillStoresWhatAnUndisturbedRunStores() throws Exception {
        importTasks("faults", TASKS);
        long begin = System.nanoTime();
        undisturbedRun = startRun("faults", 7);
        awaitRunEnded(undisturbedRun, Duration.ofMinutes(8));
        RunContent expected = RunContent.read(platform.gatewayPort, key, undisturbedRun);
        note("undisturbed run: %d trajectories, %d iterations, %d pairs in %d s", expected.trajectories().size(),
                expected.iterationTotal(), expected.pairs().size(), seconds(begin));

        begin = System.nanoTime();
        String run = startRun("faults", 7);
        double restartSeconds;
        long restartFrom;
        long restartTo;
        try (AvailabilityProbe probe = new AvailabilityProbe(platform.gatewayPort, key, List.of(
                "/api/generation-runs/" + run, "/v1/fine_tuning/jobs?limit=1", "/api/tasks?set=faults&size=1"),
                100, Duration.ofMinutes(15).toMillis())) {
            long iterations = awaitIterations(run, 2);
            restartFrom = System.nanoTime();
            platform.terminate("postgres");
            platform.restart("postgres");
            restartTo = System.nanoTime();
            restartSeconds = (restartTo - restartFrom) / 1e9;
            note("PostgreSQL stopped and started again in %.1f s, with %d iterations of the run stored", restartSeconds,
                    iterations);

            iterations = awaitIterations(run, iterations + 1);
            List<ProcessHandle> sandboxes = platform.handle("executor-service").descendants().toList();
            long killedAt = System.nanoTime();
            platform.kill("executor-service");
            Thread.sleep(2000);
            platform.restart("executor-service");
            note("executor killed (SIGKILL) with %d iterations stored and %d sandbox processes under it; "
                    + "started again, ready %.1f s after the kill", iterations, sandboxes.size(),
                    (System.nanoTime() - killedAt) / 1e9);
            awaitGone(sandboxes);

            JsonNode ended = awaitRunEnded(run, Duration.ofMinutes(10));
            note("disturbed run ended %s in %d s: %s", ended.get("status").asString(), seconds(begin),
                    ended.get("counts"));
            for (AvailabilityProbe.Outage outage : probe.outages()) {
                note("5xx or no answer on %s: %d answers over %.1f s, from %.1f s before the restart's end",
                        outage.path(), outage.answers(), outage.seconds(), (restartTo - outage.fromNanos()) / 1e9);
            }
            note("probe: %d answers, %d of them 5xx or none (statuses %s; -1: no answer)", probe.answers().size(),
                    probe.answers().stream().filter(AvailabilityProbe.Answer::failed).count(),
                    probe.answers().stream().filter(AvailabilityProbe.Answer::failed)
                            .map(AvailabilityProbe.Answer::status).distinct().sorted().toList());
            for (AvailabilityProbe.Outage outage : probe.outages()) {
                assertThat(outage.seconds()).as("5xx on %s no longer than the restart", outage.path())
                        .isLessThanOrEqualTo(restartSeconds);
                assertThat(outage.fromNanos()).as("5xx on %s only while the database restarted", outage.path())
                        .isBetween(restartFrom - 1_000_000_000L, restartTo);
            }
        }
        note("generator job retries (the executor down): %s", metric(platform.generatorPort,
                "iterpref_generator_jobs_retried_total"));

        RunContent actual = RunContent.read(platform.gatewayPort, key, run);
        assertThat(actual.trajectories().values()).as("every trajectory ended")
                .allSatisfy(t -> assertThat(t.status()).isIn("PASSED", "FAILED"));
        actual.trajectories().forEach((name, t) -> assertThat(t.numberedWithoutGapOrRepeat())
                .as("iterations of %s numbered 0..n-1, each once", name).isTrue());
        assertThat(actual.trajectories()).as("trajectories as in the undisturbed run").isEqualTo(expected.trajectories());
        assertThat(actual.pairs()).as("pairs as in the undisturbed run").isEqualTo(expected.pairs());
        note("disturbed run: %d trajectories, %d iterations, %d pairs: equal to the undisturbed run's",
                actual.trajectories().size(), actual.iterationTotal(), actual.pairs().size());
        for (String service : List.of("executor-service", "generator-service", "trainer-service", "gateway",
                "gateway-2")) {
            assertThat(PlatformApi.call(platform.port(service), "GET", "/actuator/health/readiness", null, null)
                    .status()).as("%s ready after the faults", service).isEqualTo(200);
        }
    }

    @Test
    @Order(2)
    void aFineTuningJobWhoseTrainerIsKilledEndsWithTheWeightsOfAnUninterruptedJob() throws Exception {
        assertThat(undisturbedRun).as("the run of the first test").isNotNull();
        Map<String, Object> request = Map.of("model", "tiny-qwen2", "seed", 11,
                "pairs", Map.of("run", undisturbedRun, "include_synthetic", true, "validation_split", 0.0),
                "method", Map.of("type", "dpo", "dpo", Map.of("hyperparameters", Map.of("n_epochs", 4,
                        "batch_size", 1, "learning_rate", 1e-3, "checkpoint_every", 4))));
        long begin = System.nanoTime();
        String uninterrupted = createJob(request);
        JsonNode done = awaitJob(platform.gatewayPort, uninterrupted, Duration.ofMinutes(10));
        int steps = newestCheckpointOnDisk(uninterrupted);
        note("uninterrupted job %s: %s, %d steps, %d tokens, in %d s", uninterrupted, done.get("status").asString(),
                steps, done.path("trained_tokens").asLong(), seconds(begin));

        begin = System.nanoTime();
        String job = createJob(request);
        int lastKilledAt = 0;
        for (int kill = 1; kill <= TRAINER_KILLS; kill++) {
            int newest = awaitCheckpointAfter(job, lastKilledAt);
            platform.kill("trainer-service");
            long killed = System.nanoTime();
            int onDisk = newestCheckpointOnDisk(job);
            platform.restart("trainer-service");
            note("trainer killed (SIGKILL) %d of %d: checkpoint of step %d of %d on disk (the API had %d); "
                    + "started again in %.1f s", kill, TRAINER_KILLS, onDisk, steps, newest,
                    (System.nanoTime() - killed) / 1e9);
            assertThat(onDisk).as("killed before the job's last step").isLessThan(steps);
            lastKilledAt = Math.max(newest, onDisk);
            if (kill == 1) {
                lastKilledAt = awaitCheckpointAfter(job, lastKilledAt);
                long restart = System.nanoTime();
                platform.terminate("postgres");
                platform.restart("postgres");
                note("PostgreSQL stopped and started again in %.1f s while the job trained past step %d",
                        (System.nanoTime() - restart) / 1e9, lastKilledAt);
            }
        }
        JsonNode resumed = awaitJob(platform.trainerPort, job, Duration.ofMinutes(10));
        assertThat(resumed.get("status").asString()).isEqualTo("succeeded");
        assertThat(newestCheckpointOnDisk(job)).isEqualTo(steps);
        long resumes = events(job).stream().filter(m -> m.startsWith("Resumed from the checkpoint of step")).count();
        Set<Long> logged = new HashSet<>();
        for (JsonNode row : PlatformApi.json(PlatformApi.call(platform.gatewayPort, "GET",
                "/v1/fine_tuning/jobs/" + job + "/metrics", key, null), 200).get("data")) {
            if (row.has("loss")) {
                assertThat(logged.add(row.get("step").asLong())).as("step %s logged once", row.get("step")).isTrue();
            }
        }
        assertThat(logged).as("every step logged once").hasSize(steps);
        double difference = SafetensorsWeights.maxDifference(finalWeights(uninterrupted), finalWeights(job));
        note("job killed %d times: %s after %d resumes, %d s; every one of its %d steps logged once; final weights "
                + "differ from the uninterrupted job's by %.3e (bound 1e-6)", TRAINER_KILLS,
                resumed.get("status").asString(), resumes, seconds(begin), steps, difference);
        assertThat(resumes).as("resumed after each kill").isGreaterThanOrEqualTo(TRAINER_KILLS);
        assertThat(difference).isLessThanOrEqualTo(1e-6);
    }

    @Test
    @Order(3)
    void submissionsRetriedOnTheOtherReplicaWhenAGatewayIsKilledAreNeitherLostNorRepeated() throws Exception {
        importTasks("faults-gateway", 1);
        int clients = 4;
        long durationMs = 12_000;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        RetryingClient client = new RetryingClient(List.of(platform.gatewayPort, platform.secondGatewayPort), key);
        String tag = UUID.randomUUID().toString().substring(0, 8);
        long begin = System.nanoTime();
        List<Future<List<RetryingClient.Submission>>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int id = c;
            futures.add(pool.submit(() -> {
                List<RetryingClient.Submission> mine = new ArrayList<>();
                for (int i = 0; System.nanoTime() - begin < durationMs * 1_000_000; i++) {
                    int preferred = (id + i) % 2;
                    mine.add(i % 2 == 0
                            ? client.importTask(preferred, "faults-gw-" + tag + "-" + id + "-" + i, taskLine(i % TASKS))
                            : client.startRun(preferred, "faults-gateway", 100 + id * 1000 + i));
                    Thread.sleep(150);
                }
                return mine;
            }));
        }
        Thread.sleep(durationMs / 3);
        platform.kill("gateway-2");
        long killed = System.nanoTime();
        List<RetryingClient.Submission> all = new ArrayList<>();
        for (Future<List<RetryingClient.Submission>> future : futures) {
            all.addAll(future.get(5, TimeUnit.MINUTES));
        }
        pool.shutdown();
        long afterKill = all.stream().filter(s -> s.sentNanos() > killed).count();
        long retried = all.stream().filter(s -> s.attempts() > 1).count();
        List<RetryingClient.Submission> refused = all.stream().filter(s -> s.status() / 100 != 2).toList();
        note("gateway-2 killed (SIGKILL) %.1f s into %d s of submissions by %d clients: %d submissions (%d after the "
                + "kill), %d retried on the other replica, %d not accepted", (killed - begin) / 1e9, durationMs / 1000,
                clients, all.size(), afterKill, retried, refused.size());
        assertThat(refused).as("every submission accepted, on one replica or the other").isEmpty();
        assertThat(retried).as("some submissions met the killed replica").isPositive();

        List<RetryingClient.Submission> runs = all.stream().filter(s -> s.kind().equals("run")).toList();
        Set<String> runIds = new HashSet<>();
        runs.forEach(s -> runIds.add(s.id()));
        assertThat(runIds).as("one run per submission").hasSize(runs.size());
        assertThat(count("select count(*) from generation_runs where task_set = 'faults-gateway'"))
                .as("runs stored: one per submission, none repeated by a retry").isEqualTo(runs.size());
        for (String run : runIds) {
            awaitRunEnded(run, Duration.ofMinutes(5));
        }
        List<RetryingClient.Submission> imports = all.stream().filter(s -> s.kind().equals("import")).toList();
        for (RetryingClient.Submission s : imports) {
            JsonNode page = PlatformApi.json(PlatformApi.call(platform.gatewayPort, "GET", "/api/tasks?set=" + s.id(),
                    key, null), 200);
            assertThat(page.get("total").asLong()).as("set %s holds its task", s.id()).isEqualTo(1);
        }
        note("after the kill: %d runs accepted, each stored once and COMPLETED (%d of them answered as a replay of a "
                + "try the killed replica had passed on); %d imports, each set holding its task", runs.size(),
                runs.stream().filter(RetryingClient.Submission::replayed).count(), imports.size());
        platform.restart("gateway-2");
        assertThat(PlatformApi.call(platform.secondGatewayPort, "GET", "/api/tasks?size=1", key, null).status())
                .isEqualTo(200);
    }

    // --- helpers

    private static void note(String format, Object... args) {
        String line = String.format(format, args);
        System.out.println("[faults] " + line);
        report.add(line);
    }

    private static long seconds(long since) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - since);
    }

    private static String taskLine(int index) throws IOException {
        return Files.readAllLines(platform.root.resolve("examples/tasks/iterpref-examples.jsonl")).get(index);
    }

    private static void importTasks(String set, int count) throws IOException {
        List<String> lines = Files.readAllLines(platform.root.resolve("examples/tasks/iterpref-examples.jsonl"));
        RawHttp.Reply reply = RawHttp.send(platform.gatewayPort, "POST", "/api/tasks/import?format=jsonl&set=" + set,
                List.of(new String[] {"Authorization", "Bearer " + key},
                        new String[] {"Content-Type", "application/x-ndjson"}),
                String.join("\n", lines.subList(0, count)) + "\n");
        PlatformApi.json(reply, 200);
    }

    private static String startRun(String set, long seed) throws IOException {
        return PlatformApi.json(PlatformApi.call(platform.gatewayPort, "POST", "/api/generation-runs", key,
                RetryingClient.runRequest(set, seed, SAMPLES)), 202).get("id").asString();
    }

    private static JsonNode progress(String run) throws IOException {
        return PlatformApi.json(PlatformApi.call(platform.gatewayPort, "GET", "/api/generation-runs/" + run, key, null),
                200);
    }

    /** Waits until the run has stored at least {@code atLeast} iterations, failing if it ends first. */
    private static long awaitIterations(String run, long atLeast) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode progress = progress(run);
            assertThat(progress.get("status").asString()).as("the run is still running: the fault must come mid-run")
                    .isIn("QUEUED", "RUNNING");
            if (progress.get("iterations").asLong() >= atLeast) {
                return progress.get("iterations").asLong();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("run " + run + " did not reach " + atLeast + " iterations in 5 minutes");
    }

    private static JsonNode awaitRunEnded(String run, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode progress = progress(run);
            String status = progress.get("status").asString();
            if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
                assertThat(status).as("run %s: %s", run, progress).isEqualTo("COMPLETED");
                return progress;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("run " + run + " did not end in " + limit);
    }

    private static void awaitGone(List<ProcessHandle> processes) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && processes.stream().anyMatch(ProcessHandle::isAlive)) {
            Thread.sleep(100);
        }
        assertThat(processes.stream().filter(ProcessHandle::isAlive).map(p -> p.pid() + " " + p.info().command()))
                .as("sandbox processes of the killed executor gone").isEmpty();
    }

    private static String metric(int port, String name) throws IOException {
        String body = PlatformApi.call(port, "GET", "/actuator/prometheus", null, null).body();
        return body.lines().filter(l -> l.startsWith(name)).map(l -> l.substring(l.lastIndexOf(' ') + 1))
                .findFirst().orElse("absent");
    }

    private static long count(String sql) throws Exception {
        try (Connection db = DriverManager.getConnection(platform.jdbcUrl("generator"), "generator", "");
             ResultSet rs = db.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String createJob(Map<String, Object> request) throws IOException {
        return PlatformApi.json(PlatformApi.call(platform.gatewayPort, "POST", "/v1/fine_tuning/jobs", key, request),
                200).get("id").asString();
    }

    /** Polls the trainer's own port (it is restarted on it) until the job ends; answers the job object. */
    private static JsonNode awaitJob(int port, String job, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode body = PlatformApi.json(PlatformApi.call(port, "GET", "/v1/fine_tuning/jobs/" + job, key, null),
                    200);
            String status = body.get("status").asString();
            assertThat(status).as(body.toString()).isNotIn("failed", "cancelled");
            if (status.equals("succeeded")) {
                return body;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("job " + job + " did not end in " + limit);
    }

    /** The newest checkpoint the trainer reports past {@code step}; fails if the job ends first. */
    private static int awaitCheckpointAfter(String job, int step) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode page = PlatformApi.json(PlatformApi.call(platform.trainerPort, "GET",
                    "/v1/fine_tuning/jobs/" + job + "/checkpoints?limit=1", null, null), 200).get("data");
            int newest = page.isEmpty() ? 0 : page.get(0).get("step_number").asInt();
            if (newest > step) {
                return newest;
            }
            String status = PlatformApi.json(PlatformApi.call(platform.trainerPort, "GET", "/v1/fine_tuning/jobs/" + job,
                    null, null), 200).get("status").asString();
            assertThat(status).as("job %s still training: the kill must come mid-job", job)
                    .isIn("validating_files", "queued", "running");
            Thread.sleep(20);
        }
        throw new AssertionError("job " + job + " made no checkpoint past step " + step + " in 5 minutes");
    }

    private static Path checkpoints(String job) {
        return platform.work.resolve("trainer").resolve("jobs").resolve(job).resolve("checkpoints");
    }

    private static int newestCheckpointOnDisk(String job) throws IOException {
        if (!Files.isDirectory(checkpoints(job))) {
            return 0;
        }
        try (Stream<Path> dirs = Files.list(checkpoints(job))) {
            return dirs.map(d -> d.getFileName().toString()).filter(n -> n.matches("step-\\d+"))
                    .mapToInt(n -> Integer.parseInt(n.substring(5))).max().orElse(0);
        }
    }

    private static Map<String, float[]> finalWeights(String job) throws IOException {
        return SafetensorsWeights.read(checkpoints(job).resolve("step-" + newestCheckpointOnDisk(job)).resolve("model.safetensors"));
    }

    private static List<String> events(String job) throws IOException {
        List<String> messages = new ArrayList<>();
        String after = null;
        while (true) {
            JsonNode page = PlatformApi.json(PlatformApi.call(platform.gatewayPort, "GET", "/v1/fine_tuning/jobs/" + job
                    + "/events?limit=100" + (after == null ? "" : "&after=" + after), key, null), 200);
            page.get("data").forEach(e -> messages.add(e.get("message").asString()));
            if (!page.get("has_more").asBoolean() || page.get("data").isEmpty()) {
                return messages;
            }
            after = page.get("data").get(page.get("data").size() - 1).get("id").asString();
        }
    }

}
