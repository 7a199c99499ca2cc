package org.iterpref.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.iterpref.common.execution.BatchExecutionRequest;
import org.iterpref.common.execution.BatchExecutionResult;
import org.iterpref.common.execution.ExecutionLimits;
import org.iterpref.common.execution.ExecutionRequest;
import org.iterpref.common.execution.ExecutionResult;
import org.iterpref.common.execution.TestCase;
import org.iterpref.common.execution.Verdict;
import org.iterpref.executor.ExecutorApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The measured side: the executor service started in this JVM on a free port (bubblewrap
 * backend unless {@code bench.backend} says otherwise, {@code concurrency} workers, the benchmark's interpreter), driven over HTTP through
 * {@code POST /v1/executions/batch} by {@code concurrency} client threads, each sending
 * batches of {@code batch} programs. A 429 is retried after its {@code Retry-After}.
 * Per-execution latency is the service's own {@code wallTimeMs} (queue wait excluded).
 */
final class ServiceRunner implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(10);

    private final ConfigurableApplicationContext context;
    private final URI batchUri;
    private final BenchOptions options;
    private final HttpClient http;
    private final JsonMapper json;
    private final Set<String> backends = Collections.synchronizedSet(new TreeSet<>());
    private final AtomicInteger retries = new AtomicInteger();

    private ServiceRunner(ConfigurableApplicationContext context, int port, BenchOptions options) {
        this.context = context;
        this.batchUri = URI.create("http://127.0.0.1:" + port + "/v1/executions/batch");
        this.options = options;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        this.json = JsonMapper.builder()
                .changeDefaultPropertyInclusion(v -> v.withValueInclusion(JsonInclude.Include.NON_NULL))
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }

    /** Starts the service and waits until its readiness probe (sandbox self-check included) is UP. */
    static ServiceRunner start(BenchOptions options) throws IOException, InterruptedException {
        // Passed as command-line arguments: builder.properties(...) would only be defaults, which
        // the service's application.yml (server.port=8081, workers=0, ...) overrides.
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ExecutorApplication.class)
                .properties("logging.level.root=WARN", "spring.main.banner-mode=off")
                .run("--server.port=0",
                        "--spring.config.location=" + ServiceConfig.location("executor-service"),
                        "--spring.autoconfigure.exclude=" + ServiceConfig.NO_DATABASE,
                        "--server.address=127.0.0.1",
                        "--springdoc.api-docs.enabled=false",
                        "--springdoc.swagger-ui.enabled=false",
                        "--iterpref.executor.backend=" + options.backend(),
                        "--iterpref.executor.allow-unsandboxed=" + options.backend().equals("unsandboxed"),
                        "--iterpref.executor.workers=" + options.serviceWorkers(),
                        "--iterpref.executor.bubblewrap.fork-server=" + options.forkServer(),
                        "--iterpref.executor.bubblewrap.cgroups=" + System.getProperty("bench.cgroups", "true"),
                        "--iterpref.executor.python.interpreter=" + options.python());
        int port = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
        ServiceRunner runner = new ServiceRunner(context, port, options);
        try {
            runner.awaitReady(port);
        } catch (IOException | InterruptedException | RuntimeException e) {
            runner.close();
            throw e;
        }
        return runner;
    }

    private void awaitReady(int port) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness");
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            last = r.statusCode() + " " + r.body();
            if (r.statusCode() == 200 && json.readTree(r.body()).path("status").asString("").equals("UP")) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("executor not ready after " + READY_TIMEOUT + ": " + last);
    }

    Measurement run(List<Program> programs) throws InterruptedException {
        ExecutionLimits limits = new ExecutionLimits(options.wallTimeMs(), null, null, null);
        List<ExecutionRequest> requests = programs.stream().map(p -> request(p, limits)).toList();
        long[] latencies = new long[programs.size()];
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(options.concurrency());
        long start = System.nanoTime();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < options.concurrency(); c++) {
                done.add(clients.submit(() -> {
                    for (int from = next.getAndAdd(options.batch()); from < programs.size();
                         from = next.getAndAdd(options.batch())) {
                        int to = Math.min(programs.size(), from + options.batch());
                        List<ExecutionResult> results = send(requests.subList(from, to));
                        record(programs, from, results, latencies, failures);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("client thread failed: " + e.getCause(), e.getCause());
        } finally {
            clients.shutdownNow();
        }
        long elapsed = System.nanoTime() - start;
        return new Measurement("sandboxed", programs.size(), elapsed, latencies, failures);
    }

    private static ExecutionRequest request(Program p, ExecutionLimits limits) {
        List<TestCase> tests = new ArrayList<>();
        for (int i = 0; i < p.tests().size(); i++) {
            tests.add(TestCase.assertion("t" + (i + 1), p.tests().get(i)));
        }
        return new ExecutionRequest("python", p.code(), tests, limits, null);
    }

    private void record(List<Program> programs, int from, List<ExecutionResult> results, long[] latencies,
                        List<String> failures) {
        for (int i = 0; i < results.size(); i++) {
            ExecutionResult r = results.get(i);
            Program p = programs.get(from + i);
            latencies[from + i] = r.wallTimeMs();
            backends.add(r.backend());
            if (r.verdict() != Verdict.PASSED || r.passed() != p.tests().size() || r.total() != p.tests().size()) {
                failures.add("sandboxed " + p.entryPoint() + ": " + r.verdict() + " " + r.passed() + "/" + r.total()
                        + ", feedback: " + r.feedback());
            }
        }
    }

    /** Posts one batch, retrying while the service answers 429. */
    private List<ExecutionResult> send(List<ExecutionRequest> batch) throws IOException, InterruptedException {
        byte[] body = json.writeValueAsBytes(new BatchExecutionRequest(batch));
        HttpRequest request = HttpRequest.newBuilder(batchUri).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        while (true) {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() == 429) {
                retries.incrementAndGet();
                long seconds = response.headers().firstValue("Retry-After").map(String::strip)
                        .map(ServiceRunner::seconds).orElse(1L);
                Thread.sleep(Math.max(1, seconds) * 1000);
                continue;
            }
            if (response.statusCode() != 200) {
                throw new IllegalStateException("POST " + batchUri.getPath() + " answered " + response.statusCode()
                        + ": " + clip(new String(response.body(), java.nio.charset.StandardCharsets.UTF_8)));
            }
            List<ExecutionResult> results = json.readValue(response.body(), BatchExecutionResult.class).results();
            if (results.size() != batch.size()) {
                throw new IllegalStateException("sent " + batch.size() + " executions, got " + results.size());
            }
            return results;
        }
    }

    private static String clip(String text) {
        return text.length() <= 1000 ? text : text.substring(0, 1000) + "...";
    }

    private static long seconds(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** Sandbox backends named in the results seen so far. */
    Set<String> backends() {
        return Set.copyOf(backends);
    }

    /** How many 429 answers were retried so far. */
    int retries() {
        return retries.get();
    }

    @Override
    public void close() {
        context.close();
    }
}
