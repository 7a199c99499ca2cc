package org.iterpref.generator.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import org.iterpref.generator.support.ExampleTasks;
import org.iterpref.generator.support.GeneratorClient;
import org.iterpref.generator.support.SharedExecutor;
import org.iterpref.generator.support.SharedPostgres;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.iterpref.generator.GeneratorApplication;
import tools.jackson.databind.JsonNode;

/**
 * Tasks imported while the executor is away stay PENDING; once it is back they are validated
 * without anyone asking.
 */
class PendingRevalidationTest {

    @Test
    void tasksLeftPendingByAnExecutorOutageAreValidatedWhenItIsBack() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // free now: the executor is "away" until the forwarder listens on it
        }
        try (ConfigurableApplicationContext generator = new SpringApplicationBuilder(GeneratorApplication.class).run(
                "--server.port=0", "--spring.profiles.active=test",
                "--spring.datasource.url=" + SharedPostgres.jdbcUrl("PendingRevalidation"),
                "--spring.datasource.username=" + SharedPostgres.user(),
                "--spring.datasource.password=" + SharedPostgres.password(),
                "--iterpref.generator.executor.base-url=http://127.0.0.1:" + port,
                "--iterpref.generator.executor.max-attempts=1",
                "--iterpref.generator.pending-tasks.revalidate-every-ms=300")) {
            GeneratorClient client = new GeneratorClient(Integer.parseInt(
                    generator.getEnvironment().getProperty("local.server.port")));
            var imported = client.post("/v1/tasks/import?format=jsonl&set=outage-tasks", "application/x-ndjson",
                    ExampleTasks.first(3));
            assertThat(imported.body().get("pending").asInt()).as(imported.raw()).isEqualTo(3);
            Thread.sleep(1_000); // rounds while the executor is still away change nothing
            assertThat(statuses(client)).containsOnly("PENDING");

            URI executor = URI.create(SharedExecutor.baseUrl());
            try (Forwarder back = new Forwarder(port, executor.getPort())) {
                await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                        .until(() -> statuses(client).stream().allMatch("VALID"::equals));
            }
        }
    }

    private static java.util.List<String> statuses(GeneratorClient client) {
        JsonNode page = client.get("/v1/tasks?set=outage-tasks").body();
        java.util.List<String> statuses = new java.util.ArrayList<>();
        page.get("tasks").forEach(t -> statuses.add(t.get("status").asString()));
        return statuses;
    }

    /** The executor coming back on its old address: loopback connections to {@code port} go to {@code target}. */
    private static final class Forwarder implements AutoCloseable {
        private final ServerSocket server;

        Forwarder(int port, int target) throws IOException {
            server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
            daemon(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket in = server.accept();
                        Socket out = new Socket(InetAddress.getLoopbackAddress(), target);
                        pipe(in, out);
                        pipe(out, in);
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private static void pipe(Socket from, Socket to) {
            daemon(() -> {
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException ignored) {
                    // a side closed
                }
                try {
                    to.shutdownOutput();
                } catch (IOException ignored) {
                    // already closed
                }
            });
        }

        private static void daemon(Runnable body) {
            Thread thread = new Thread(body, "forwarder");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
