package org.iterpref.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code pairs export}, {@code runs start --watch} and {@code fine-tune --wait} against a local server. */
class OtherCommandsTest {

    HttpServer server;
    final List<String> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger polls = new AtomicInteger();
    volatile boolean breakExport;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/pairs/export", this::export);
        server.createContext("/v1/pairs/stats", x -> reply(x, "{\"kept\":3,\"alreadyStored\":2}"));
        server.createContext("/v1/generation-runs", this::runs);
        server.createContext("/v1/fine_tuning/jobs", this::jobs);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    void export(HttpExchange x) throws IOException {
        requests.add(x.getRequestURI().toString());
        x.getResponseHeaders().set("Content-Type", "application/x-ndjson");
        x.sendResponseHeaders(200, 0);  // chunked
        OutputStream body = x.getResponseBody();
        body.write("{\"prompt\":\"p1\"}\n{\"prompt\":\"p2\"}\n".getBytes(StandardCharsets.UTF_8));
        body.flush();
        if (breakExport) {
            // the server fails mid-export: the connection ends without the terminating chunk
            x.getHttpContext().getServer().stop(0);
            return;
        }
        body.write("{\"prompt\":\"p3\"}\n".getBytes(StandardCharsets.UTF_8));
        body.close();
    }

    void runs(HttpExchange x) throws IOException {
        requests.add(x.getRequestMethod() + " " + x.getRequestURI() + " "
                + new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String status = x.getRequestMethod().equals("POST") || polls.incrementAndGet() < 2 ? "RUNNING" : "COMPLETED";
        reply(x, """
                {"id":"r1","status":"%s","iterations":7,"counts":{"total":2,"queued":0,"running":0,"passed":2,
                 "failed":0,"errored":0,"cancelled":0}}""".formatted(status));
    }

    void jobs(HttpExchange x) throws IOException {
        requests.add(x.getRequestMethod() + " " + x.getRequestURI() + " "
                + new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String status = x.getRequestMethod().equals("POST") ? "queued" : "failed";
        reply(x, """
                {"id":"ftjob-1","status":"%s","trained_tokens":null,"fine_tuned_model":null,
                 "error":{"message":"no pairs in the feed"}}""".formatted(status));
    }

    static void reply(HttpExchange x, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(200, bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }

    record Run(int exit, String out, String err) {
    }

    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = IterPref.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return new Run(cli.execute(args), out.toString(), err.toString());
    }

    @Test
    void pairsExportWritesTheWholeStream(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("pairs.jsonl");
        Run r = run("pairs", "export", "--url", url(), "--out", out.toString(), "--set", "a b", "--synthetic", "false");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.readAllLines(out)).hasSize(3);
        assertThat(r.out()).contains("wrote 3 pairs");
        assertThat(requests.get(0)).isEqualTo("/v1/pairs/export?format=trl&set=a+b&synthetic=false");
    }

    @Test
    void anExportTheServerAbortsLeavesNoFileAndExitsTwo(@TempDir Path dir) throws IOException {
        breakExport = true;
        Path out = dir.resolve("pairs.jsonl");
        Run r = run("pairs", "export", "--url", url(), "--out", out.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).contains("broke off");
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).as("no file, not even a partial one").isEmpty();
        }
    }

    @Test
    void runsStartWatchFollowsTheRunAndReportsItsPairs() {
        Run r = run("runs", "start", "--url", url(), "--task-set", "s", "--samples", "2", "--seed", "4", "--watch");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("r1").contains("COMPLETED").contains("3 new, 2 already stored");
        assertThat(requests.get(0)).startsWith("POST /v1/generation-runs ").contains("\"samplesPerTask\":2")
                .contains("\"seed\":4").contains("\"type\":\"bug-injection\"");
    }

    @Test
    void aFineTuningJobThatFailsExitsOneWithItsError() {
        Run r = run("fine-tune", "--url", url(), "--trainer-url", url(), "--model", "tiny-qwen2", "--set", "s",
                "--include-synthetic", "--wait");
        assertThat(r.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.out()).contains("ftjob-1 failed").contains("no pairs in the feed");
        assertThat(requests.get(0)).startsWith("POST /v1/fine_tuning/jobs ")
                .contains("\"set\":\"s\"").contains("\"include_synthetic\":true").contains("\"type\":\"dpo\"");
    }

    @Test
    void fineTuneWithoutFeedUrlSendsNoFeedSoTheTrainerUsesItsDefault() {
        Run r = run("fine-tune", "--url", url(), "--trainer-url", url(), "--model", "tiny-qwen2", "--set", "s");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(requests.get(0)).startsWith("POST /v1/fine_tuning/jobs ").contains("\"pairs\":{")
                .doesNotContain("\"feed\"").doesNotContain("/pairs\"");
    }

    @Test
    void fineTuneWithFeedUrlSendsThatFeed() {
        Run r = run("fine-tune", "--url", url(), "--trainer-url", url(), "--model", "tiny-qwen2", "--set", "s",
                "--feed-url", "http://generator:8082/v1/pairs");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(requests.get(0)).startsWith("POST /v1/fine_tuning/jobs ")
                .contains("\"pairs\":{\"feed\":\"http://generator:8082/v1/pairs\"");
    }
}
