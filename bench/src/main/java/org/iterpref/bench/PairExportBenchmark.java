package org.iterpref.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
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
 * both, their ratio, and the peak heap growth during each (the export must stream in constant
 * memory). Options: {@code -Dbench.pairs=100000}, {@code -Dbench.rounds=2}.
 */
public final class PairExportBenchmark {

    private static final String COPY = "COPY (select id, prompt, chosen, rejected, error_spans, synthetic, task_set,"
            + " region_lines, rejected_lines from pairs where status = 'KEPT' order by id) TO STDOUT";

    private PairExportBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int pairs = Integer.getInteger("bench.pairs", 100_000);
        int rounds = Integer.getInteger("bench.rounds", 2);
        Path data = Files.createTempDirectory("iterpref-pair-bench");
        try (ConfigurableApplicationContext generator = new SpringApplicationBuilder(GeneratorApplication.class)
                .properties("logging.level.root=WARN")
                .run("--server.port=0", "--spring.config.location=" + ServiceConfig.location("generator-service"),
                        "--spring.profiles.active=local", "--iterpref.generator.workers=0",
                        "--iterpref.generator.embedded-postgres.data-directory=" + data)) {
            int port = Integer.parseInt(generator.getEnvironment().getRequiredProperty("local.server.port"));
            DataSource dataSource = generator.getBean(DataSource.class);
            store(new JdbcTemplate(dataSource), pairs);
            log("stored %d pairs; warming up", pairs);
            export(port);
            copy(dataSource);
            double[] exportRates = new double[rounds];
            double[] copyRates = new double[rounds];
            long exportHeap = 0;
            long copyHeap = 0;
            for (int r = 0; r < rounds; r++) {
                Measured e = measure(() -> export(port));
                Measured c = measure(() -> copy(dataSource));
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
            System.out.printf("%-36s %10.0f pairs/s  peak heap +%d MiB%n", "GET /v1/pairs/export (TRL JSONL)", export,
                    exportHeap >> 20);
            System.out.printf("%-36s %10.0f rows/s   peak heap +%d MiB%n", "COPY ... TO STDOUT (baseline)", copy,
                    copyHeap >> 20);
            System.out.printf("%-36s %10.2f%n", "ratio export/COPY", export / copy);
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

    private static long export(int port) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/v1/pairs/export?format=trl")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        long lines = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = response.body()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        }
        return lines;
    }

    private static long copy(DataSource dataSource) throws Exception {
        AtomicLong lines = new AtomicLong();
        OutputStream counter = new OutputStream() {
            @Override
            public void write(int b) {
                if (b == '\n') {
                    lines.incrementAndGet();
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                for (int i = off; i < off + len; i++) {
                    if (b[i] == '\n') {
                        lines.incrementAndGet();
                    }
                }
            }
        };
        try (Connection connection = dataSource.getConnection()) {
            connection.unwrap(PGConnection.class).getCopyAPI().copyOut(COPY, counter);
        }
        return lines.get();
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
