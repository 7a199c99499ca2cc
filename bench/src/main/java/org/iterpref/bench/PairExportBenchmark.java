package org.iterpref.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.OutputStream;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.iterpref.generator.GeneratorApplication;
import org.postgresql.PGConnection;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Export of stored pairs as TRL JSONL through {@code GET /v1/pairs/export}, against a plain
 * {@code COPY (...) TO STDOUT} of the same rows from the same PostgreSQL in the same run: pairs/s of
 * both, their ratio, and the service JVM's peak heap growth during each (the export must stream in
 * constant memory). Each side's client is a process of its own, as a real client would be, and both
 * pipe what they receive into {@code wc -l}: {@code curl} for the export (the service runs in this
 * JVM), {@code psql} for COPY. Options: {@code -Dbench.pairs=100000}, {@code -Dbench.rounds=3}.
 */
public final class PairExportBenchmark {

    private static final String COPY = "COPY (select id, prompt, chosen, rejected, error_spans, synthetic, task_set,"
            + " region_lines, rejected_lines from pairs where status = 'KEPT' order by id) TO STDOUT";

    private PairExportBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int pairs = Integer.getInteger("bench.pairs", 100_000);
        int rounds = Integer.getInteger("bench.rounds", 3);
        Path data = Files.createTempDirectory("iterpref-pair-bench");
        try (ConfigurableApplicationContext generator = new SpringApplicationBuilder(GeneratorApplication.class)
                .properties("logging.level.root=WARN")
                .run("--server.port=0", "--spring.config.location=" + ServiceConfig.location("generator-service"),
                        "--spring.profiles.active=local", "--iterpref.generator.workers=0",
                        "--iterpref.generator.embedded-postgres.data-directory=" + data)) {
            int port = Integer.parseInt(generator.getEnvironment().getRequiredProperty("local.server.port"));
            DataSource dataSource = generator.getBean(DataSource.class);
            store(new JdbcTemplate(dataSource), pairs);
            List<String> exportClient = List.of("curl", "-sS", "--fail", "--no-buffer",
                    "http://127.0.0.1:" + port + "/v1/pairs/export?format=trl");
            List<String> copyClient = psql(dataSource);
            log("stored %d pairs; export client: %s; COPY client: %s", pairs, String.join(" ", exportClient),
                    String.join(" ", copyClient));
            log("warming up");
            for (int i = 0; i < 3; i++) {
                lines(exportClient);
            }
            lines(copyClient);
            double[] exportRates = new double[rounds];
            double[] copyRates = new double[rounds];
            double[] jdbcCopyRates = new double[rounds];
            long exportHeap = 0;
            long copyHeap = 0;
            for (int r = 0; r < rounds; r++) {
                Measured e = measure(() -> lines(exportClient));
                Measured c = measure(() -> lines(copyClient));
                Measured j = measure(() -> copyInThisJvm(dataSource));
                jdbcCopyRates[r] = j.count() / j.seconds();
                exportRates[r] = e.count() / e.seconds();
                copyRates[r] = c.count() / c.seconds();
                exportHeap = Math.max(exportHeap, e.peakHeapGrowth());
                copyHeap = Math.max(copyHeap, c.peakHeapGrowth());
                log("round %d: export %d pairs in %.2f s (%.0f/s), COPY %d rows in %.2f s (%.0f/s)", r + 1, e.count(),
                        e.seconds(), exportRates[r], c.count(), c.seconds(), copyRates[r]);
            }
            double export = mean(exportRates);
            double copy = mean(copyRates);
            System.out.printf("%nPair export benchmark: %d stored pairs, %d rounds (mean)%n", pairs, rounds);
            System.out.println("-".repeat(64));
            System.out.printf("%-36s %10.0f pairs/s  service peak heap +%d MiB%n", "GET /v1/pairs/export (curl)",
                    export, exportHeap >> 20);
            System.out.printf("%-36s %10.0f rows/s   service peak heap +%d MiB%n", "COPY ... TO STDOUT (psql)", copy,
                    copyHeap >> 20);
            System.out.printf("%-36s %s%n", "rounds export pairs/s", rates(exportRates));
            System.out.printf("%-36s %s%n", "rounds COPY rows/s", rates(copyRates));
            System.out.printf("%-36s %10.2f%n", "ratio export/COPY", export / copy);
            System.out.printf("%nDiagnostic, not the ratio: COPY read by the driver's copy API inside this JVM (the%n"
                    + "client model of the first version of this benchmark; no process, no pipe)%n");
            System.out.printf("%-36s %10.0f rows/s   %s%n", "COPY ... TO STDOUT (pgjdbc CopyManager)",
                    mean(jdbcCopyRates), rates(jdbcCopyRates));
            System.out.printf("%-36s %d MiB%n", "max heap", Runtime.getRuntime().maxMemory() >> 20);
        }
    }

    /** Realistic-sized pairs, written by PostgreSQL itself. */
    private static void store(JdbcTemplate jdbc, int n) {
        jdbc.update("""
                insert into pairs (origin, task_set, prompt, chosen, rejected, error_spans, region_lines, rejected_lines,
                                   synthetic, status, dedup_key)
                select 'IMPORTED', 'bench', 'Write a function f(xs) that returns the running maximum of xs. #' || g,
                       repeat(E'def f(xs):\\n    best = None\\n    out = []\\n    for x in xs:\\n', 3) || E'    return out  # ' || g,
                       repeat(E'def f(xs):\\n    best = 0\\n    out = []\\n    for x in xs:\\n', 3) || E'    return out  # ' || g,
                       '[[11, 25], [60, 74]]'::jsonb, 2, 13, true, 'KEPT', md5(g::text)
                from generate_series(1, ?) g""", n);
    }

    /** psql running the baseline COPY against the generator's database (URL read from the pool). */
    private static List<String> psql(DataSource dataSource) throws Exception {
        String url;
        String user;
        try (Connection connection = dataSource.getConnection()) {
            url = connection.getMetaData().getURL();
            user = connection.getMetaData().getUserName();
        }
        URI uri = URI.create(url.substring("jdbc:".length()));
        return List.of("psql", "-X", "-q", "-h", uri.getHost(), "-p", Integer.toString(uri.getPort()), "-U", user,
                "-d", uri.getPath().substring(1), "-c", COPY);
    }

    /** Runs {@code client} with its output piped into {@code wc -l}; returns the lines counted. */
    private static long lines(List<String> client) throws IOException, InterruptedException {
        String command = "set -o pipefail; " + client.stream().map(PairExportBenchmark::quoted)
                .reduce((a, b) -> a + " " + b).orElseThrow() + " | wc -l";
        Process process = new ProcessBuilder("bash", "-c", command).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(process.getInputStream().readAllBytes()).trim();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("client failed (exit " + process.exitValue() + "): " + command);
        }
        return Long.parseLong(out);
    }

    private static long copyInThisJvm(DataSource dataSource) throws Exception {
        long[] lines = {0};
        OutputStream counter = new OutputStream() {
            @Override
            public void write(int b) {
                lines[0] += b == '\n' ? 1 : 0;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                for (int i = off; i < off + len; i++) {
                    lines[0] += b[i] == '\n' ? 1 : 0;
                }
            }
        };
        try (Connection connection = dataSource.getConnection()) {
            connection.unwrap(PGConnection.class).getCopyAPI().copyOut(COPY, counter);
        }
        return lines[0];
    }

    private static String quoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private static String rates(double[] values) {
        StringBuilder text = new StringBuilder();
        for (double v : values) {
            text.append(String.format("%10.0f", v));
        }
        return text.toString();
    }

    private interface Counted {
        long run() throws Exception;
    }

    private record Measured(long count, double seconds, long peakHeapGrowth) {
    }

    /** Runs {@code work}, sampling heap use every 2 ms: the growth over the heap in use before it. */
    private static Measured measure(Counted work) throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long before = memory.getHeapMemoryUsage().getUsed();
        AtomicLong peak = new AtomicLong(before);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (running.get()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        long start = System.nanoTime();
        long count = work.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        running.set(false);
        sampler.join();
        return new Measured(count, seconds, Math.max(0, peak.get() - before));
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    private static void log(String format, Object... args) {
        System.out.printf("[bench] " + format + "%n", args);
    }
}
