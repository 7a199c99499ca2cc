package org.iterpref.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The baseline: each program (solution followed by its asserts) as one plain
 * {@code python3 -I -B program.py} subprocess, no sandbox, no harness, no limits;
 * {@code concurrency} of them at a time. A program passes when it exits with code 0.
 * The scripts are written to a temporary directory once, before any timing.
 */
final class BareRunner implements AutoCloseable {

    private static final long TIMEOUT_SECONDS = 60;

    private final String python;
    private final int concurrency;
    private final Path dir;
    private final ExecutorService pool;

    BareRunner(String python, int concurrency) throws IOException {
        this.python = python;
        this.concurrency = concurrency;
        this.dir = Files.createTempDirectory("iterpref-bench-bare-");
        this.pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "bare-runner");
            t.setDaemon(true);
            return t;
        });
    }

    /** Writes each program's script; untimed. */
    void prepare(List<Program> programs) throws IOException {
        for (Program p : programs) {
            Files.writeString(script(p), p.script(), StandardCharsets.UTF_8);
        }
    }

    Measurement run(List<Program> programs) throws InterruptedException {
        long start = System.nanoTime();
        List<Future<Outcome>> futures = new ArrayList<>(programs.size());
        for (Program p : programs) {
            futures.add(pool.submit(() -> execute(p)));
        }
        long[] latencies = new long[programs.size()];
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            Outcome o;
            try {
                o = futures.get(i).get();
            } catch (ExecutionException e) {
                o = new Outcome(0, "could not run: " + e.getCause());
            }
            latencies[i] = o.millis();
            if (o.failure() != null) {
                failures.add("bare " + programs.get(i).entryPoint() + ": " + o.failure());
            }
        }
        long elapsed = System.nanoTime() - start;
        return new Measurement("bare", programs.size(), elapsed, latencies, failures);
    }

    private record Outcome(long millis, String failure) {
    }

    private Outcome execute(Program p) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process process = new ProcessBuilder(python, "-I", "-B", script(p).toString())
                .directory(dir.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] output;
        try (InputStream in = process.getInputStream()) {
            output = in.readAllBytes();
        }
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Outcome(ms(t0), "timed out after " + TIMEOUT_SECONDS + " s");
        }
        long millis = ms(t0);
        int exit = process.exitValue();
        if (exit != 0) {
            String text = new String(output, StandardCharsets.UTF_8).strip();
            return new Outcome(millis, "exit code " + exit + ": " + tail(text));
        }
        return new Outcome(millis, null);
    }

    private Path script(Program p) {
        return dir.resolve("p" + p.index() + ".py");
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static String tail(String text) {
        return text.length() <= 600 ? text : "..." + text.substring(text.length() - 600);
    }

    int concurrency() {
        return concurrency;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
