package org.iterpref.executor.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.iterpref.executor.support.Programs.assertTest;
import static org.iterpref.executor.support.Programs.execution;
import static org.iterpref.executor.support.Programs.ioTest;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.iterpref.executor.sandbox.Sandbox;
import org.iterpref.executor.sandbox.bubblewrap.BubblewrapSandbox;
import org.iterpref.executor.support.ExecutorClient;
import org.springframework.beans.factory.annotation.Autowired;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Hostile programs through the real bubblewrap backend, in its default mode (fork servers when
 * the service is root; see {@link HostileProgramsPerExecutionSandboxTest} for the other). Each
 * case asserts its verdict; after each, the service must still be ready, the next execution must
 * pass, and no process of a sandbox uid may be left on the host.
 */
@Tag("hostile")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HostileProgramsTest {

    static final int UID_BASE = 61000;
    /** Sandbox uids on the host: bubblewrap's pool from 61000, Docker's from 62000. */
    static final int UID_END = 63000;
    static final String NOOP = "def f():\n    return 1\n";

    @LocalServerPort
    int port;
    @Autowired
    Sandbox sandbox;
    ExecutorClient client;

    /** The mode this class exercises: fork servers where the service is root. */
    boolean expectsForkServers() {
        return new UnixSystem().getUid() == 0;
    }

    @Test
    void runsThroughBubblewrapInTheExpectedMode() {
        expectBackend();
    }

    /** The backend (and mode) this class exercises; overridden by the classes for other backends. */
    void expectBackend() {
        assertThat(sandbox).isInstanceOf(BubblewrapSandbox.class);
        assertThat(((BubblewrapSandbox) sandbox).usesForkServers()).isEqualTo(expectsForkServers());
    }

    @BeforeEach
    void setUp() {
        client = new ExecutorClient(port);
    }

    @AfterEach
    void serviceStaysHealthyAndTheNextExecutionIsUnaffected() throws Exception {
        assertThat(client.get("/actuator/health/readiness").status()).isEqualTo(200);
        JsonNode next = run(execution(NOOP, List.of(assertTest("next", "assert f() == 1"),
                assertTest("clean", "import os\nassert os.listdir('.') == [], os.listdir('.')"))));
        assertThat(next.get("verdict").asString()).as(next.toString()).isEqualTo("PASSED");
        assertThat(sandboxProcessesOnHost()).as("processes left by a sandbox").isEmpty();
    }

    JsonNode run(Map<String, Object> body) {
        ExecutorClient.Reply reply = client.post("/v1/executions", body);
        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        return reply.body();
    }

    static String verdictOf(JsonNode result, int test) {
        return result.get("tests").get(test).get("verdict").asString();
    }

    @Test
    void forkBombIsStoppedByTheProcessLimit() {
        JsonNode result = run(execution(NOOP, List.of(assertTest("bomb", "import os\nwhile True:\n    os.fork()\n")),
                Map.of("maxProcesses", 32, "wallTimeMs", 10_000)));
        assertThat(verdictOf(result, 0)).isEqualTo("ERROR");
        assertThat(result.get("feedback").asString()).contains("Resource temporarily unavailable");
        assertThat(result.get("wallTimeMs").asLong()).isLessThan(10_000);
    }

    @Test
    void memoryBombHitsTheMemoryLimit() {
        String bomb = "chunks = []\nwhile True:\n    chunks.append(bytearray(16 * 1024 * 1024))\n";
        JsonNode result = run(execution(NOOP, List.of(assertTest("bomb", bomb)), Map.of("memoryMb", 128)));
        assertThat(verdictOf(result, 0)).isEqualTo("MEMORY_LIMIT");
    }

    @Test
    void infiniteLoopTimesOut() {
        JsonNode result = run(execution("while True:\n    pass\n", List.of(ioTest("loop", "", "")),
                Map.of("wallTimeMs", 1000)));
        assertThat(verdictOf(result, 0)).isEqualTo("TIMEOUT");
    }

    @Test
    void sleepFarPastTheLimitIsKilledAtTheLimit() {
        JsonNode result = run(execution(NOOP, List.of(assertTest("sleeps", "import time\ntime.sleep(3600)")),
                Map.of("wallTimeMs", 1000)));
        assertThat(verdictOf(result, 0)).isEqualTo("TIMEOUT");
        assertThat(result.get("wallTimeMs").asLong()).isLessThan(5_000);
    }

    @Test
    void backgroundProcessesDoNotOutliveTheExecution() throws Exception {
        String marker = "4242." + (System.nanoTime() % 1000);
        // each test runs in a process of its own (the solution's top-level code is run again in
        // each), so the processes are started by the first test, not by the top-level code
        String spawn = "import subprocess, os\ndef spawn():\n"
                + "    subprocess.Popen(['/usr/bin/sleep', '" + marker + "'], start_new_session=True)\n"
                + "    if os.fork() == 0:\n        os.setsid()\n        os.execv('/usr/bin/sleep', ['sleep', '" + marker + "'])\n";
        JsonNode result = run(execution(spawn, List.of(assertTest("spawns", "spawn()"),
                assertTest("alone", "import os\nassert [p for p in os.listdir('/proc') if p.isdigit() and "
                        + "b'sleep' in open('/proc/%s/cmdline' % p, 'rb').read()] == []"))));
        assertThat(verdictOf(result, 0)).isEqualTo("PASSED");
        assertThat(verdictOf(result, 1)).as("a later test sees the first test's processes").isEqualTo("PASSED");
        Thread.sleep(200);
        assertThat(ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(marker)).orElse(false))
                .toList()).isEmpty();
    }

    @Test
    void cannotConnectToAPortListeningOnTheHostLoopback() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            String code = "import socket\n"
                    + "try:\n    socket.create_connection(('127.0.0.1', " + server.getLocalPort() + "), timeout=2)\n"
                    + "    reached = True\nexcept OSError:\n    reached = False\n";
            JsonNode result = run(execution(code, List.of(assertTest("isolated", "assert reached is False"))));
            assertThat(verdictOf(result, 0)).isEqualTo("PASSED");
            server.setSoTimeout(200);
            assertThat(acceptsConnection(server)).isFalse();
        }
    }

    private static boolean acceptsConnection(ServerSocket server) throws IOException {
        try (var ignored = server.accept()) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Test
    void dnsLookupFails() {
        String code = "import socket\n"
                + "def resolve(host):\n    try:\n        return socket.getaddrinfo(host, 443)\n"
                + "    except OSError:\n        return None\n";
        JsonNode result = run(execution(code, List.of(
                assertTest("dns", "assert resolve('example.com') is None"),
                assertTest("interfaces", "import socket\nassert [n for _, n in socket.if_nameindex()] == ['lo']"))));
        assertThat(verdictOf(result, 0)).isEqualTo("PASSED");
        assertThat(verdictOf(result, 1)).isEqualTo("PASSED");
    }

    @Test
    void cannotReadASecretFileWrittenOutsideTheSandbox() throws Exception {
        String secret = "secret-" + UUID.randomUUID();
        Path file = Files.createTempFile("iterpref-secret-", ".txt");
        Files.writeString(file, secret);
        file.toFile().setReadable(true, false);
        try {
            String code = "import os\ncandidates = ['" + file + "', '/etc/shadow', '/etc/passwd', '/root/.bashrc', "
                    + "'/proc/1/root/" + file + "', '" + Path.of("").toAbsolutePath().resolve("pom.xml") + "']\n"
                    + "readable = []\nfor c in candidates:\n    try:\n        open(c).read()\n        readable.append(c)\n"
                    + "    except OSError:\n        pass\nprint(readable)\n";
            JsonNode result = run(execution(code, List.of(ioTest("secret", "", readableOfTheSandboxOwn() + "\n"))));
            assertThat(verdictOf(result, 0)).isEqualTo("PASSED");
            assertThat(result.toString()).doesNotContain(secret);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Which of the probed files the sandbox has a copy of its own of (not the host's): none under bubblewrap. */
    String readableOfTheSandboxOwn() {
        return "[]";
    }

    @Test
    void cannotWriteOutsideTheWorkdir() {
        String probe = "host-write-" + UUID.randomUUID().toString().substring(0, 8);
        String code = "import os\n"
                + "written = []\nfor d in ['/', '/usr', '/usr/lib', '/sandbox', '/etc', '/proc', '/dev', '/bin', '"
                + System.getProperty("java.io.tmpdir") + "']:\n"
                + "    try:\n        with open(os.path.join(d, '" + probe + "'), 'w') as f:\n            f.write('x')\n"
                + "        written.append(d)\n    except OSError:\n        pass\n"
                + "with open('/work/ok.txt', 'w') as f:\n    f.write('inside is fine')\n";
        JsonNode result = run(execution(code, List.of(assertTest("writes", "assert written in ([], ['/tmp']), written"))));
        assertThat(verdictOf(result, 0)).as(result.toString()).isEqualTo("PASSED");
        for (String dir : List.of("/", "/usr", "/usr/lib", "/etc", "/bin", System.getProperty("java.io.tmpdir"))) {
            assertThat(Path.of(dir, probe)).doesNotExist();
        }
    }

    @Test
    void oneGigabyteToStdoutHitsTheOutputLimitQuickly() {
        String code = "import sys\nchunk = 'x' * (1 << 20)\nfor _ in range(1024):\n    sys.stdout.write(chunk)\n";
        JsonNode result = run(execution(code, List.of(ioTest("flood", "", "")), Map.of("maxOutputBytes", 65536)));
        assertThat(verdictOf(result, 0)).isEqualTo("OUTPUT_LIMIT");
        assertThat(result.get("tests").get(0).get("stdout").asString().length()).isLessThan(65536 + 200);
        assertThat(result.get("wallTimeMs").asLong()).isLessThan(5_000);
    }

    @Test
    void tenGigabyteFileHitsTheFileSizeLimit() {
        String code = "block = b'\\0' * (1 << 20)\nwith open('big.bin', 'wb') as f:\n    for _ in range(10 * 1024):\n"
                + "        f.write(block)\n";
        String sparse = "with open('sparse.bin', 'wb') as f:\n    f.truncate(10 * 1024 ** 3)\n";
        JsonNode result = run(execution(NOOP, List.of(assertTest("dense", code), assertTest("sparse", sparse))));
        assertThat(verdictOf(result, 0)).isEqualTo("OUTPUT_LIMIT");
        assertThat(verdictOf(result, 1)).isEqualTo("OUTPUT_LIMIT");
        assertThat(result.get("feedback").asString()).contains("File size limit exceeded");
    }

    @Test
    void killingItsParentHasNoEffectOnTheHarnessOrTheOtherTests() {
        // the harness is pid 1 of the sandbox's pid namespace: signals from inside cannot kill it
        JsonNode result = run(execution(NOOP, List.of(
                assertTest("before", "assert f() == 1"),
                assertTest("kills-parent", "import os, signal, time\nos.kill(os.getppid(), signal.SIGKILL)\n"
                        + "time.sleep(0.2)\nassert os.getppid() == 1\n"),
                assertTest("kills-everything", "import os, signal\nos.kill(-1, signal.SIGKILL)\n"),
                assertTest("kills-pid-1", "import os, signal, time\nos.kill(1, signal.SIGKILL)\ntime.sleep(0.2)\n"),
                assertTest("after", "assert f() == 1"))));
        // kill(-1) reaches every process but pid 1 and the caller: the harness's spawner dies, the
        // test itself goes on and passes (it asserts nothing), the rest run in a fresh sandbox
        assertThat(List.of(verdictOf(result, 0), verdictOf(result, 1), verdictOf(result, 2), verdictOf(result, 3),
                verdictOf(result, 4))).as(result.toString()).containsExactly("PASSED", "PASSED", "PASSED", "PASSED",
                "PASSED");
        assertThat(result.get("total").asInt()).isEqualTo(5);
    }

    @Test
    void otherProcessesAreInvisibleThroughProc() {
        String code = "import os\n"
                + "def visible():\n    cmds = []\n    for p in os.listdir('/proc'):\n        if p.isdigit():\n"
                + "            try:\n                cmds.append(open('/proc/%s/cmdline' % p, 'rb').read())\n"
                + "            except OSError:\n                pass\n    return cmds\n";
        JsonNode result = run(execution(code, List.of(
                assertTest("no-host-processes", "cmds = visible()\nassert not any(b'java' in c for c in cmds), cmds\n"
                        + "assert len(cmds) <= 4, cmds"),
                assertTest("no-host-pid", "import os\nassert not os.path.exists('/proc/%d' % " + ProcessHandle.current().pid()
                        + ") or " + ProcessHandle.current().pid() + " < 5"))));
        assertThat(verdictOf(result, 0)).as(result.toString()).isEqualTo("PASSED");
        assertThat(verdictOf(result, 1)).isEqualTo("PASSED");
    }

    @Test
    void filesLeftBehindAreGoneForTheNextExecution() {
        String leave = "for d in ['/work', '/tmp', '/dev/shm']:\n    try:\n"
                + "        open(d + '/leftover.txt', 'w').write('hello from the past')\n    except OSError:\n        pass\n";
        JsonNode first = run(execution(leave, List.of(assertTest("leaves", "import os\nassert os.path.exists('/work/leftover.txt')"))));
        assertThat(verdictOf(first, 0)).isEqualTo("PASSED");
        String look = "import os\nfound = [d for d in ['/work', '/tmp', '/dev/shm'] if os.path.exists(d + '/leftover.txt')]\n";
        JsonNode second = run(execution(look, List.of(assertTest("finds-nothing", "assert found == [], found"))));
        assertThat(verdictOf(second, 0)).isEqualTo("PASSED");
    }

    /** Live processes on the host owned by a uid of the sandbox pool (only meaningful when the service is root). */
    static List<Long> sandboxProcessesOnHost() throws IOException {
        List<Long> found = new ArrayList<>();
        if (new UnixSystem().getUid() != 0) {
            return found;
        }
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path dir : dirs.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    List<String> status = Files.readAllLines(dir.resolve("status"));
                    if (status.stream().anyMatch(l -> l.startsWith("State:") && l.contains("Z"))) {
                        continue; // exited, waiting for the host's init to reap it: nothing runs
                    }
                    for (String line : status) {
                        if (line.startsWith("Uid:")) {
                            int uid = Integer.parseInt(line.split("\\s+")[1]);
                            if (uid >= UID_BASE && uid < UID_END) {
                                found.add(Long.parseLong(dir.getFileName().toString()));
                            }
                        }
                    }
                } catch (IOException | RuntimeException ignored) {
                    // the process ended while we looked
                }
            }
        }
        return found;
    }
}
