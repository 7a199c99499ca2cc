package org.iterpref.generator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.iterpref.generator.support.ExampleTasks;
import org.iterpref.generator.support.GeneratorClient;
import org.iterpref.generator.support.GeneratorProcess;
import org.iterpref.generator.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Generator instances that really crash: two generator JVMs, separate OS processes, claim the jobs
 * of one bug-injection run from one PostgreSQL database at the same time, and at moments drawn
 * from a seeded {@link Random} one of them is killed with SIGKILL and started again. Afterwards
 * the run must hold exactly what an undisturbed run with the same seed (one instance, a copy of the
 * same tasks in a database of its own) stored: every trajectory ended as there, none left claimed,
 * each iteration stored once with the same content, and the same pairs. The seed is printed;
 * {@code -Diterpref.crash-test.seed=N} replays a failure's kill moments. Instance logs go to
 * {@code target/killed-instances/}.
 */
@Tag("slow")
class KilledInstancesTest {

    private static final String SET = "crash";
    private static final String UNDISTURBED = "KilledInstancesUndisturbed";
    private static final String CRASHED = "KilledInstancesCrashed";
    private static final int TASKS = 30;
    private static final int SAMPLES = 2;
    private static final int MAX_ITERATIONS = 5;
    private static final List<String> INSTANCE_SETTINGS = List.of("--iterpref.generator.workers=2",
            "--iterpref.generator.lease-seconds=2", "--iterpref.generator.poll-interval-ms=100");
    private static final Path LOGS = Path.of("target", "killed-instances");
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);
    private static final int MAX_KILL_DELAY_MS = 400;

    private final List<GeneratorProcess> processes = new ArrayList<>();
    private final Map<String, Integer> incarnations = new HashMap<>();

    /**
     * When to kill which instance: {@code delayMs} after a share of the run's iterations is stored
     * (the delay moves the kill off the moment an iteration is written, into a generation, a test
     * execution or a transaction).
     */
    record PlannedKill(double progress, int delayMs, String instance) {
    }

    /** One SIGKILL as it happened. */
    record Kill(String victim, long pid, long iterationsStored, int exitStatus, int leasesLeft) {
    }

    /** The crashed run as of one poll: iterations stored, whether it completed, who holds its jobs. */
    record Progress(long iterations, boolean completed, Set<String> claimOwners) {
    }

    /** A finished run: what it stored, and how long it took from its start. */
    record FinishedRun(UUID id, StoredRun stored, long millis) {
    }

    @Test
    void sigkilledInstancesNeitherLoseNorRepeatWorkAndLeaveWhatAnUndisturbedRunLeaves() throws IOException {
        long started = System.nanoTime();
        long seed = Long.getLong("iterpref.crash-test.seed", new SecureRandom().nextLong());
        System.out.printf("KilledInstancesTest: seed %d (replay: -Diterpref.crash-test.seed=%d)%n", seed, seed);
        Random random = new Random(seed);
        int runSeed = random.nextInt(1_000_000);
        List<PlannedKill> plan = plan(random);
        clearLogs();
        try (TestDatabase undisturbed = new TestDatabase(UNDISTURBED);
             TestDatabase crashed = new TestDatabase(CRASHED).migrate()) {
            GeneratorProcess alone = start("undisturbed", UNDISTURBED);
            // both start now and wait, ready, while the undisturbed run runs
            Map<String, GeneratorProcess> instances = new HashMap<>(Map.of(
                    "a", start("a", CRASHED), "b", start("b", CRASHED)));
            FinishedRun expected = runUndisturbed(alone, undisturbed, runSeed);
            crashed.copyTaskSet(undisturbed, SET);

            List<Kill> kills = new ArrayList<>();
            FinishedRun actual = runWithKills(instances, crashed, runSeed, plan, expected.stored().iterationCount(), kills);

            assertNoJobLeftOver(crashed.jdbc(), actual.id());
            assertSameWork(actual.stored(), expected.stored());
            long reclaims = reclaims(crashed.jdbc(), actual.id());
            report(seed, runSeed, plan, kills, reclaims, expected, actual, started);
            int leftLeased = kills.stream().mapToInt(Kill::leasesLeft).sum();
            assertThat(leftLeased).as("jobs the killed instances held").isPositive();
            assertThat(reclaims).as("claims beyond the first: at least one per job a killed instance held")
                    .isGreaterThanOrEqualTo(leftLeased);
        } catch (RuntimeException | AssertionError failure) {
            processes.forEach(p -> System.out.println(p.logTail(80)));
            throw failure;
        } finally {
            processes.forEach(GeneratorProcess::close);
        }
        assertThat(processes).as("generator processes still alive after the test").noneMatch(GeneratorProcess::isAlive);
    }

    private FinishedRun runUndisturbed(GeneratorProcess alone, TestDatabase database, int runSeed) {
        GeneratorClient client = alone.awaitReady().client();
        importTasks(client);
        long started = System.nanoTime();
        UUID run = startRun(client, runSeed);
        awaitCompleted(database.jdbc(), run);
        long millis = (System.nanoTime() - started) / 1_000_000;
        // the control for the kills' checks: SIGTERM shows in the exit status and the log
        assertThat(alone.stop()).isEqualTo(GeneratorProcess.STOPPED_BY_SIGTERM);
        assertThat(alone.loggedGracefulStop()).as("a SIGTERM's graceful stop is logged").isTrue();
        return new FinishedRun(run, StoredRun.read(database.jdbc(), run), millis);
    }

    /** The same run by both instances, claiming from its start, killed and restarted as planned. */
    private FinishedRun runWithKills(Map<String, GeneratorProcess> instances, TestDatabase database, int runSeed,
                                     List<PlannedKill> plan, long iterationsInRun, List<Kill> kills) {
        instances.values().forEach(GeneratorProcess::awaitReady);
        long started = System.nanoTime();
        UUID run = startRun(instances.get("a").client(), runSeed);
        awaitClaimsByBoth(database.jdbc(), run, instances);
        for (PlannedKill planned : plan) {
            kills.add(killAndRestart(database.jdbc(), run, planned, iterationsInRun, instances));
        }
        awaitCompleted(database.jdbc(), run);
        long millis = (System.nanoTime() - started) / 1_000_000;
        instances.values().forEach(GeneratorProcess::awaitReady); // every restart came up
        return new FinishedRun(run, StoredRun.read(database.jdbc(), run), millis);
    }

    /** 3 to 5 kills at increasing shares of the run's iterations, between 5 % and 80 %, each of a random instance. */
    private static List<PlannedKill> plan(Random random) {
        int count = 3 + random.nextInt(3);
        List<Double> shares = Stream.generate(() -> 0.05 + 0.75 * random.nextDouble()).limit(count).sorted().toList();
        return shares.stream().map(share -> new PlannedKill(share, random.nextInt(MAX_KILL_DELAY_MS),
                random.nextBoolean() ? "a" : "b")).toList();
    }

    private GeneratorProcess start(String instance, String database) {
        int incarnation = incarnations.merge(instance, 1, Integer::sum);
        GeneratorProcess process = GeneratorProcess.start(instance + incarnation, database, LOGS, INSTANCE_SETTINGS);
        processes.add(process);
        return process;
    }

    private static void importTasks(GeneratorClient client) {
        var imported = client.post("/v1/tasks/import?format=jsonl&set=" + SET, "application/x-ndjson",
                ExampleTasks.first(TASKS));
        assertThat(imported.body().get("valid").asInt()).as(imported.raw()).isEqualTo(TASKS);
    }

    private static UUID startRun(GeneratorClient client, int seed) {
        var run = client.post("/v1/generation-runs", Map.of("taskSet", SET, "source", Map.of("type", "bug-injection"),
                "maxIterations", MAX_ITERATIONS, "samplesPerTask", SAMPLES, "seed", seed));
        assertThat(run.status()).as(run.raw()).isEqualTo(202);
        return UUID.fromString(run.body().get("id").asString());
    }

    private static void awaitCompleted(JdbcClient jdbc, UUID run) {
        await().atMost(RUN_TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> progress(jdbc, run).completed());
    }

    /** Both first instances hold jobs of the run at the same moment: they claim concurrently from the start. */
    private static void awaitClaimsByBoth(JdbcClient jdbc, UUID run, Map<String, GeneratorProcess> instances) {
        Set<String> both = Set.of(instances.get("a").name(), instances.get("b").name());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> progress(jdbc, run).claimOwners(), owners -> owners.containsAll(both));
    }

    /**
     * At the planned progress kills the planned instance, or the other one while the planned one is
     * still starting again (neither: the first to be ready), and starts the victim again at once.
     */
    private Kill killAndRestart(JdbcClient jdbc, UUID run, PlannedKill planned, long iterationsInRun,
                                Map<String, GeneratorProcess> instances) {
        long target = Math.max(1, Math.round(planned.progress() * iterationsInRun));
        await().atMost(RUN_TIMEOUT).pollInterval(Duration.ofMillis(50))
                .until(() -> progress(jdbc, run), p -> p.iterations() >= target || p.completed());
        pause(planned.delayMs());
        String other = planned.instance().equals("a") ? "b" : "a";
        String chosen = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() ->
                instances.get(planned.instance()).isReady() ? planned.instance()
                        : instances.get(other).isReady() ? other : null, Objects::nonNull);
        Progress at = progress(jdbc, run);
        assertThat(at.completed()).as("the run completed before the kill planned at %d iterations", target).isFalse();
        GeneratorProcess victim = instances.get(chosen);
        int exit = victim.kill();
        int leasesLeft = jdbc.sql("select count(*) from jobs where run_id = ? and status = 'CLAIMED' and lease_owner = ?")
                .params(run, victim.name()).query(Integer.class).single();
        assertThat(exit).as("exit status of %s: SIGKILL's (128 + 9), not SIGTERM's", victim.name())
                .isEqualTo(GeneratorProcess.KILLED_BY_SIGKILL);
        assertThat(victim.loggedGracefulStop()).as("%s stopped gracefully", victim.name()).isFalse();
        instances.put(chosen, start(chosen, CRASHED));
        return new Kill(victim.name(), victim.pid(), at.iterations(), exit, leasesLeft);
    }

    private static Progress progress(JdbcClient jdbc, UUID run) {
        long iterations = jdbc.sql("""
                select count(*) from iterations i join trajectories t on t.id = i.trajectory_id where t.run_id = ?""")
                .param(run).query(Long.class).single();
        String status = jdbc.sql("select status from generation_runs where id = ?").param(run).query(String.class)
                .single();
        Set<String> owners = new HashSet<>(jdbc.sql(
                "select distinct lease_owner from jobs where run_id = ? and status = 'CLAIMED'")
                .param(run).query(String.class).list());
        return new Progress(iterations, status.equals("COMPLETED"), owners);
    }

    private static void assertNoJobLeftOver(JdbcClient jdbc, UUID run) {
        List<String> open = jdbc.sql("""
                select trajectory_id || ' ' || status || ' ' || coalesce(lease_owner, '-') from jobs
                where run_id = ? and (status <> 'DONE' or lease_owner is not null)""")
                .param(run).query(String.class).list();
        assertThat(open).as("jobs not done, or still leased").isEmpty();
    }

    private static void assertSameWork(StoredRun actual, StoredRun expected) {
        assertThat(actual.trajectories().values()).as("trajectory endings")
                .allSatisfy(t -> assertThat(t.status()).isIn("PASSED", "FAILED"));
        actual.trajectories().forEach((name, trajectory) -> assertThat(trajectory.numberedWithoutGapOrRepeat())
                .as("iterations of %s numbered 0..n-1, each once, and n recorded", name).isTrue());
        assertThat(actual.trajectories().keySet()).isEqualTo(expected.trajectories().keySet());
        expected.trajectories().forEach((name, trajectory) -> assertThat(actual.trajectories().get(name))
                .as("trajectory %s (ending, mutation plan, iterations) as in the undisturbed run", name)
                .isEqualTo(trajectory));
        assertThat(actual.pairs()).as("pairs as in the undisturbed run").isEqualTo(expected.pairs());
        assertThat(actual.keptPairs()).as("kept pairs as in the undisturbed run").isEqualTo(expected.keptPairs());
    }

    /** Claims beyond the first of each job: the jobs a killed instance held, taken over by another. */
    private static long reclaims(JdbcClient jdbc, UUID run) {
        return jdbc.sql("select coalesce(sum(attempts - 1), 0) from jobs where run_id = ?").param(run)
                .query(Long.class).single();
    }

    private static void report(long seed, int runSeed, List<PlannedKill> plan, List<Kill> kills, long reclaims,
                               FinishedRun expected, FinishedRun actual, long started) {
        long iterations = expected.stored().iterationCount();
        StringBuilder text = new StringBuilder(String.format(
                "KilledInstancesTest: seed %d, run seed %d, %d trajectories (%d tasks x %d samples, max %d iterations),"
                        + " a1 and b1 claiming from the start%n",
                seed, runSeed, actual.stored().trajectories().size(), TASKS, SAMPLES, MAX_ITERATIONS));
        for (int i = 0; i < kills.size(); i++) {
            Kill kill = kills.get(i);
            text.append(String.format("  kill %d: SIGKILL %s (pid %d, exit %d) at %d/%d iterations (%.0f %%; planned"
                            + " %.0f %% + %d ms, %s), %d lease(s) left to expire%n", i + 1, kill.victim(), kill.pid(),
                    kill.exitStatus(), kill.iterationsStored(), iterations, 100.0 * kill.iterationsStored() / iterations,
                    100 * plan.get(i).progress(), plan.get(i).delayMs(), plan.get(i).instance(), kill.leasesLeft()));
        }
        text.append(String.format("  jobs claimed again after a kill: %d%n", reclaims));
        text.append(String.format("  equal to the undisturbed run: %d trajectories, %d iterations, %d pairs (%d kept)%n",
                actual.stored().trajectories().size(), actual.stored().iterationCount(), actual.stored().pairs().size(),
                actual.stored().keptPairs().size()));
        text.append(String.format("  wall time: undisturbed run %d ms, run with kills %d ms, test %d s%n",
                expected.millis(), actual.millis(), (System.nanoTime() - started) / 1_000_000_000));
        System.out.print(text);
    }

    /** Not a wait for a condition: a random point in time, the moment of a crash. */
    private static void pause(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void clearLogs() throws IOException {
        if (Files.isDirectory(LOGS)) {
            try (Stream<Path> files = Files.list(LOGS)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
        }
    }
}
