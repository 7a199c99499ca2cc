package org.iterpref.cli.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.iterpref.cli.IterPref;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code runs start} survives a gateway replica dying under it: the submission carries one
 * Idempotency-Key, sent again unchanged after a dropped connection or a 502/503/504, a bounded
 * number of times; other errors are not retried.
 */
class RunSubmissionRetryTest {

    /** What the server does with each POST in turn; the last one repeats. */
    enum Answer { DROP, UNAVAILABLE, BAD_GATEWAY, BAD_REQUEST, ACCEPT }

    HttpServer server;
    final List<String> keys = new CopyOnWriteArrayList<>();
    volatile List<Answer> script = List.of(Answer.ACCEPT);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/generation-runs", this::runs);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    void runs(HttpExchange x) throws IOException {
        x.getRequestBody().readAllBytes();
        keys.add(String.valueOf(x.getRequestHeaders().getFirst("Idempotency-Key")));
        Answer answer = script.get(Math.min(keys.size(), script.size()) - 1);
        switch (answer) {
            case DROP -> x.close(); // the connection ends without an answer, as when a replica is killed
            case UNAVAILABLE -> reply(x, 503, "application/problem+json", "{\"status\":503,\"detail\":\"restarting\"}");
            case BAD_GATEWAY -> reply(x, 502, "application/json", "{\"error\":{\"message\":\"down\"}}");
            case BAD_REQUEST -> reply(x, 400, "application/problem+json", "{\"status\":400,\"detail\":\"no task set\"}");
            case ACCEPT -> reply(x, 202, "application/json", "{\"id\":\"run-1\",\"status\":\"QUEUED\"}");
        }
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
        return new Run(cli.execute(args), out.toString(), err.toString());
    }

    @Test
    void aDroppedConnectionAndA503AreRetriedWithTheSameKey() {
        script = List.of(Answer.DROP, Answer.UNAVAILABLE, Answer.ACCEPT);

        Run r = run("runs", "start", "--url", url(), "--task-set", "s");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo("run-1");
        assertThat(keys).hasSize(3).containsOnly(keys.get(0));
        assertThat(UUID.fromString(keys.get(0))).isNotNull();
        assertThat(r.err()).contains("trying again");
    }

    @Test
    void eachSubmissionHasAKeyOfItsOwn() {
        assertThat(run("runs", "start", "--url", url(), "--task-set", "s").exit()).isZero();
        assertThat(run("runs", "start", "--url", url(), "--task-set", "s").exit()).isZero();

        assertThat(keys).hasSize(2).doesNotHaveDuplicates().doesNotContain("null");
    }

    @Test
    void aClientErrorIsNotRetried() {
        script = List.of(Answer.BAD_REQUEST);

        Run r = run("runs", "start", "--url", url(), "--task-set", "s");

        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("no task set");
        assertThat(keys).hasSize(1);
    }
}
