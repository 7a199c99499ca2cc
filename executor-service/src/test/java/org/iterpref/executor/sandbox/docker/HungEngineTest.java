package org.iterpref.executor.sandbox.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.iterpref.executor.runtime.PythonRuntime;
import org.iterpref.executor.runtime.ResolvedLimits;
import org.iterpref.executor.sandbox.SandboxException;
import org.iterpref.executor.sandbox.SandboxInvocation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Docker "engine" on loopback that accepts connections and never answers: every engine call
 * must end in a {@link SandboxException} within its bound, never hang the worker.
 */
class HungEngineTest {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration BOUND = Duration.ofSeconds(10);

    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private ServerSocket server;
    private Thread acceptor;
    private ExecutorService ioThreads;
    private DockerSandbox sandbox;

    @BeforeEach
    void hungEngine() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    held.add(server.accept()); // read nothing, answer nothing
                } catch (IOException e) {
                    return;
                }
            }
        }, "hung-engine");
        acceptor.setDaemon(true);
        acceptor.start();
        ioThreads = Executors.newCachedThreadPool();
        sandbox = new DockerSandbox(new DockerSettings("tcp://127.0.0.1:" + server.getLocalPort(),
                "iterpref/sandbox-python:bookworm", "/usr/bin/python3", 62900, 2, Duration.ofSeconds(1),
                CALL_TIMEOUT, Duration.ofSeconds(30)), ioThreads);
    }

    @AfterEach
    void close() throws IOException {
        sandbox.close();
        server.close();
        for (Socket socket : held) {
            socket.close();
        }
        ioThreads.shutdownNow();
    }

    @Test
    void executionFailsWithinTheCallTimeout() {
        SandboxInvocation invocation = new SandboxInvocation("hung-1", new PythonRuntime("/usr/bin/python3"),
                Map.of("code", "", "tests", List.of()), new ResolvedLimits(1000, 64, 8, 1024, 1, 60_000), 1024);
        long started = System.nanoTime();

        SandboxException e = assertTimeoutPreemptively(BOUND,
                () -> assertThrows(SandboxException.class, () -> sandbox.run(invocation)));

        assertThat(e.getMessage()).contains("127.0.0.1:" + server.getLocalPort());
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(CALL_TIMEOUT.multipliedBy(5));
        assertThat(held).as("the sandbox reached the fake engine").isNotEmpty();
    }

    @Test
    void pingSaysTheEngineDoesNotAnswer() {
        var reason = assertTimeoutPreemptively(BOUND, () -> sandbox.unavailableReason());
        assertThat(reason).hasValueSatisfying(r -> assertThat(r).contains("no Docker engine answers"));
    }

    @Test
    void listingContainersFailsWithinTheCallTimeout() {
        SandboxException e = assertTimeoutPreemptively(BOUND,
                () -> assertThrows(SandboxException.class, () -> sandbox.containerIds("hung-2")));
        assertThat(e.getMessage()).contains("did not answer within 1000 ms");
    }

    @Test
    void boundHoldsEvenWhereSocketTimeoutsDoNot() {
        // as over a unix socket, where read timeouts do not apply: a call that blocks until interrupted
        EngineCalls calls = new EngineCalls(ioThreads, CALL_TIMEOUT, "unix:///hung.sock");
        SandboxException e = assertTimeoutPreemptively(BOUND, () -> assertThrows(SandboxException.class,
                () -> calls.call("start a container", () -> {
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                    }
                    return null;
                })));
        assertThat(e.getMessage()).isEqualTo("the Docker engine at unix:///hung.sock did not answer within 1000 ms "
                + "when asked to start a container");
    }
}
