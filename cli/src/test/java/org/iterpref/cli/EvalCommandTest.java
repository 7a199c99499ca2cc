package org.iterpref.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command line against a local HTTP server that answers as the generator's evaluation API does:
 * what it sends, what it prints, and its exit codes (0 gate passed, 1 failed, 2 usage or server error).
 */
class EvalCommandTest {

    HttpServer server;
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final AtomicInteger polls = new AtomicInteger();
    volatile String verdict = "PASSED";
    volatile int startStatus = 202;
    final AtomicInteger unavailable = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/evaluations", this::evaluations);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    void evaluations(HttpExchange x) throws IOException {
        String path = x.getRequestURI().toString();
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(x.getRequestMethod() + " " + path + (body.isEmpty() ? "" : " " + body));
        authorizations.add(String.valueOf(x.getRequestHeaders().getFirst("Authorization")));
        if (x.getRequestMethod().equals("POST")) {
            if (startStatus != 202) {
                reply(x, startStatus, "application/problem+json", """
                        {"title":"Invalid request","status":400,"detail":"k[0]: must be between 1 and samples (1)",
                         "errors":[{"field":"k[0]","message":"must be between 1 and samples (1)"}]}""");
                return;
            }
            reply(x, 202, "application/json", evaluation("QUEUED", 0));
        } else if (path.endsWith("/report.junit.xml")) {
            reply(x, 200, "application/xml", "<testsuites/>");
        } else if (path.contains("/compare")) {
            reply(x, 200, "application/json", """
                    {"base":"b","candidate":"e1","metric":"pass@1","baseValue":0.0,"candidateValue":0.5,"delta":0.5,
                     "interval":{"low":0.0,"high":1.0,"level":0.95,"resamples":10000},"fixed":["t1"],"broken":[],
                     "tasks":[{"externalId":"t1","base":0.0,"candidate":1.0,"delta":1.0},
                              {"externalId":"t2","base":0.0,"candidate":0.0,"delta":0.0}]}""");
        } else if (unavailable.getAndDecrement() > 0) {
            // the generator restarting behind a gateway
            reply(x, 503, "application/problem+json", "{\"title\":\"Service Unavailable\",\"status\":503}");
        } else {
            int n = polls.incrementAndGet();
            reply(x, 200, "application/json", n < 3 ? evaluation("RUNNING", n) : evaluation("COMPLETED", 2));
        }
    }

    String evaluation(String status, int done) {
        String gate = status.equals("COMPLETED") ? verdict : "PENDING";
        return """
                {"id":"e1","status":"%s","taskSet":"s","sourceType":"reference","model":"reference",
                 "reportedModels":["reference"],"progress":{"total":2,"queued":0,"running":0,"passed":%d,"failed":0,
                 "errored":0,"cancelled":0},"passAtK":{"pass@1":%s},
                 "tasks":[{"externalId":"t1","n":1,"c":1,"errored":0,"passAtK":{"pass@1":1.0}},
                          {"externalId":"t2","n":1,"c":0,"errored":0,"passAtK":{"pass@1":0.0}}],
                 "gate":{"metric":"pass@1","min":0.4,"value":0.5,"verdict":"%s","reason":"pass@1 = 0.5000 >= 0.4000"}}"""
                .formatted(status, done, status.equals("COMPLETED") ? "0.5" : "null", gate);
    }

    static void reply(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        x.sendResponseHeaders(status, bytes.length);
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
        List<String> all = new ArrayList<>(List.of(args));
        int exit = cli.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void aPassedGateExitsZeroAfterPrintingTheTableAndWritingTheReport(@TempDir Path dir) throws IOException {
        Path junit = dir.resolve("out.xml");
        Run r = run("eval", "--url", url(), "--api-key", "sekret", "--task-set", "s", "--source", "reference",
                "--samples", "1", "--k", "1", "--gate", "pass@1>=0.4", "--junit", junit.toString(), "--poll-ms", "50");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("t1").contains("1.0000").contains("overall").contains("0.5000")
                .contains("gate pass@1>=0.4000: PASSED");
        assertThat(Files.readString(junit)).isEqualTo("<testsuites/>");
        assertThat(requests.get(0)).startsWith("POST /v1/evaluations ")
                .contains("\"taskSet\":\"s\"").contains("\"source\":{\"type\":\"reference\"}")
                .contains("\"gate\":{").contains("\"metric\":\"pass@1\"").contains("\"min\":0.4").contains("\"k\":[1]");
        assertThat(authorizations).allMatch(a -> a.equals("Bearer sekret"));
        assertThat(r.out() + r.err()).doesNotContain("sekret");
    }

    @Test
    void followingOutlastsTheServiceRestarting() {
        unavailable.set(3);
        Run r = run("eval", "--url", url(), "--task-set", "s", "--source", "reference", "--gate", "pass@1>=0.4",
                "--poll-ms", "50");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("service unavailable, retrying: HTTP 503");
    }

    @Test
    void aServiceGoneForLongerThanThePatienceExitsTwo() {
        unavailable.set(Integer.MAX_VALUE);
        Run r = run("eval", "--url", url(), "--task-set", "s", "--source", "reference", "--poll-ms", "50",
                "--patience", "1");
        assertThat(r.exit()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).contains("HTTP 503");
    }

    @Test
    void aFailedGateExitsOne() {
        verdict = "FAILED";
        Run r = run("eval", "--url", url(), "--task-set", "s", "--source", "reference", "--gate", "pass@1>=0.4",
                "--poll-ms", "50");
        assertThat(r.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.out()).contains("FAILED");
    }

    @Test
    void compareToPrintsPerTaskDeltas() {
        Run r = run("eval", "--url", url(), "--task-set", "s", "--source", "reference", "--compare-to", "b",
                "--poll-ms", "50");
        assertThat(r.exit()).isZero();
        assertThat(requests).anyMatch(q -> q.startsWith("GET /v1/evaluations/compare?base=b&candidate=e1"));
        assertThat(r.out()).contains("comparison on pass@1").contains("+1.0000").contains("fixed: t1")
                .contains("broken: none").contains("[+0.0000, +1.0000]");
    }

    @Test
    void usageErrorsExitTwoWithoutCallingTheServer() {
        assertThat(run("eval", "--url", url(), "--task-set", "s", "--source", "openai").exit()).isEqualTo(2);
        assertThat(run("eval", "--url", url(), "--task-set", "s", "--source", "reference", "--gate", "pass@1>0.4")
                .exit()).isEqualTo(2);
        assertThat(run("eval", "--url", url(), "--task-set", "s", "--source", "magic").exit()).isEqualTo(2);
        assertThat(run("eval", "--url", url(), "--source", "reference").exit()).isEqualTo(2);
        assertThat(requests).isEmpty();
    }

    @Test
    void aRefusedRequestExitsTwoNamingTheField() {
        startStatus = 400;
        Run r = run("eval", "--url", url(), "--task-set", "s", "--source", "reference", "--k", "5");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("HTTP 400").contains("k[0]: must be between 1 and samples");
    }

    @Test
    void anUnreachableServerExitsTwo() {
        server.stop(0);
        Run r = run("eval", "--url", url(), "--task-set", "s", "--source", "reference");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("cannot reach");
    }
}
