package org.iterpref.executor.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.iterpref.executor.support.Programs.assertTest;
import static org.iterpref.executor.support.Programs.execution;
import static org.iterpref.executor.support.Programs.ioTest;
import static org.iterpref.executor.support.Programs.unittest;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.iterpref.executor.sandbox.Sandbox;
import org.iterpref.executor.sandbox.bubblewrap.BubblewrapSandbox;
import org.iterpref.executor.support.ExecutorClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
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

    /** Whether this mode runs each execution on one core (fork servers pin themselves, in turn). */
    boolean expectsOneCore() {
        return expectsForkServers();
    }

    @Test
    void anExecutionRunsOnOneCoreWithForkServersOnAllOtherwise() {
        JsonNode result = run(execution(NOOP, List.of(assertTest("cores",
                "import os\nprint(len(os.sched_getaffinity(0)))"))));
        assertThat(verdictOf(result, 0)).as(result.toString()).isEqualTo("PASSED");
        int cores = Integer.parseInt(testOf(result, 0).get("stdout").asString().strip());
        assertThat(cores).isEqualTo(expectsOneCore() ? 1 : Runtime.getRuntime().availableProcessors());
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
                assertTest("clean", "import os\nassert [os.listdir(d) for d in ('.', '/tmp', '/dev/shm')] == [[], [], []], "
                        + "[os.listdir(d) for d in ('.', '/tmp', '/dev/shm')]"))));
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
                assertTest("kills-everything", "import os, signal\ntry:\n    os.kill(-1, signal.SIGKILL)\n"
                        + "except ProcessLookupError:\n    pass  # nothing else was left to kill\n"),
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

    @Test
    void aFreshTestProcessStartsWithTheScratchDirectoriesEmpty() {
        // a test that dies (here by os._exit, in CI by the memory limit with 180 MiB of tmpfs files)
        // must not leave its files charged to the memory of every later test
        String leave = py("import os",
                "for d in ('/work', '/tmp', '/dev/shm'):",
                "    with open(d + '/left.bin', 'wb') as f:",
                "        f.write(b'x' * (1 << 20))",
                "os._exit(3)");
        String look = py("import os",
                "assert [os.listdir(d) for d in ('.', '/tmp', '/dev/shm')] == [[], [], []], "
                        + "[os.listdir(d) for d in ('.', '/tmp', '/dev/shm')]");
        JsonNode result = run(execution("", List.of(assertTest("dies", leave), assertTest("looks", look))));
        assertThat(verdictOf(result, 0)).as(result.toString()).isEqualTo("ERROR");
        assertThat(verdictOf(result, 1)).as(result.toString()).isEqualTo("PASSED");
    }

    // ---- the judge is out of the test process's reach ------------------------------------------

    /** A test of {@code testCode} after {@code code}, alone in an execution; its result. */
    JsonNode runTest(String code, String testCode, Map<String, Object> limits) {
        return run(execution(code, List.of(assertTest("t", testCode)), limits));
    }

    JsonNode runTest(String code, String testCode) {
        return runTest(code, testCode, Map.of());
    }

    static String py(String... lines) {
        return String.join("\n", lines) + "\n";
    }

    static JsonNode testOf(JsonNode result, int test) {
        return result.get("tests").get(test);
    }

    static String messageOf(JsonNode result, int test) {
        JsonNode message = testOf(result, test).get("message");
        return message == null || message.isNull() ? "" : message.asString();
    }

    static final String FAKE_PASS = "lambda *a, **k: ('PASSED', None, 0)";

    @Test
    void replacingTheJudgeFunctionsInEveryModuleCannotPassAFailingTest() {
        String everyModule = py("import sys",
                "[setattr(m, n, " + FAKE_PASS + ") for m in list(sys.modules.values())",
                " for n in ('judge', 'compare_output', 'judge_abnormal') if hasattr(m, n)]");
        String mainAndHarness = py("import sys",
                "for m in [sys.modules.get('__main__'), sys.modules.get('harness')]:",
                "    for n in ('judge', 'compare_output', 'judge_abnormal', 'verdict_for_exception', 'explain_assertion'):",
                "        if m is not None:",
                "            setattr(m, n, " + FAKE_PASS + ")");
        for (String code : List.of(everyModule, mainAndHarness)) {
            JsonNode result = run(execution(code, List.of(assertTest("fails", "assert False"),
                    assertTest("loops", "while True:\n    pass")), Map.of("wallTimeMs", 1000)));
            // the judge is the supervisor, out of reach; patching the test process's own helpers
            // is seen there and refused (ERROR), never a pass
            assertThat(verdictOf(result, 0)).as(result.toString()).isIn("FAILED", "ERROR");
            assertThat(verdictOf(result, 1)).as(result.toString()).isIn("TIMEOUT", "ERROR");
        }
    }

    @Test
    void patchingTheHarnessClassesInTheTestProcessCannotPassAFailingTest() {
        // the test process's own copy of the harness: its TestProcess runs the test and reports it
        String code = py("import sys",
                "for m in list(sys.modules.values()):",
                "    for c in [v for v in vars(m).values() if isinstance(v, type)]:",
                "        for n in ('run_assert', 'run_stdio', 'run_unittest'):",
                "            if n in vars(c):",
                "                setattr(c, n, lambda self: {'verdict': 'PASSED'})");
        JsonNode result = run(execution(code, List.of(assertTest("fails", "assert False"),
                assertTest("loops", "while True:\n    pass")), Map.of("wallTimeMs", 1000)));
        // the test process's runner is the code's own process (a known limit of in-process
        // tests); it notices its harness functions changed and refuses to report a pass
        assertThat(verdictOf(result, 0)).as(result.toString()).isNotEqualTo("PASSED");
        assertThat(verdictOf(result, 1)).as(result.toString()).isNotEqualTo("PASSED");
        assertThat(result.get("suspicious").asBoolean()).isTrue();
        assertThat(result.get("tests").get(0).get("suspicious").toString()).contains("run_assert");
    }

    @Test
    void replacingTheCodeOrDefaultsOfHarnessFunctionsIsSeenAndNeverPasses() {
        // the functions stay bound where they were: only what they run (or their defaults) changes
        String code = py("import sys",
                "for m in list(sys.modules.values()):",
                "    c = vars(m).get('TestProcess')",
                "    if isinstance(c, type) and 'run_assert' in vars(c):",
                "        c.run_assert.__code__ = (lambda self: {'verdict': 'PASSED'}).__code__",
                "        t = vars(m).get('truncate')",
                "        if t is not None:",
                "            t.__defaults__ = (10,)");
        JsonNode result = run(execution(code, List.of(assertTest("fails", "assert False"),
                assertTest("passes", "assert True"))));
        assertThat(verdictOf(result, 0)).as(result.toString()).isEqualTo("ERROR");
        assertThat(verdictOf(result, 1)).as(result.toString()).isEqualTo("ERROR");
        String suspicious = result.get("tests").get(0).get("suspicious").toString();
        assertThat(suspicious).contains("TestProcess.run_assert").contains("truncate");
        assertThat(result.get("suspicious").asBoolean()).isTrue();
    }

    @Test
    void expectedOutputCannotBeFoundInTheProgramsFramesOrObjects() {
        String secret = "the-secret-answer-4711";
        // the needle is built at run time, so the program's own text does not contain it; the
        // search follows containers and objects' attributes (a dict of strings only is not
        // tracked by the garbage collector, so gc.get_objects() alone would miss it)
        String code = py("import sys, gc",
                "needle = ''.join(map(chr, (52, 55, 49, 49)))",
                "found = set()",
                "seen = set()",
                "def look(values, depth=0):",
                "    for v in list(values):",
                "        if isinstance(v, (str, bytes)):",
                "            if len(v) < 10000 and str(needle) in str(v) and v is not needle:",
                "                found.add(str(v))",
                "        elif depth < 4 and id(v) not in seen:",
                "            seen.add(id(v))",
                "            if isinstance(v, dict):",
                "                look(v.values(), depth + 1)",
                "            elif isinstance(v, (list, tuple, set)):",
                "                look(v, depth + 1)",
                "            elif hasattr(v, '__dict__') and isinstance(getattr(v, '__dict__', None), dict):",
                "                look(vars(v).values(), depth + 1)",
                "f = sys._getframe()",
                "while f is not None:",
                "    look(f.f_locals.values())",
                "    look(f.f_globals.values())",
                "    f = f.f_back",
                "for o in gc.get_objects():",
                "    if isinstance(o, dict):",
                "        look(o.values())",
                "    elif isinstance(o, (list, tuple)):",
                "        look(o)",
                "print(sorted(found))");
        JsonNode result = run(execution(code, List.of(ioTest("steal", "", secret + "\n"))));
        assertThat(verdictOf(result, 0)).as(result.toString()).isEqualTo("FAILED");
        assertThat(testOf(result, 0).get("stdout").asString()).doesNotContain(secret);
        assertThat(testOf(result, 0).get("stderr").asString()).doesNotContain(secret);
    }

    @Test
    void exitingWithStatusZeroWhileLoadingIsASetupError() {
        for (String exit : List.of("import sys\nsys.exit(0)\n", "import os\nos._exit(0)\n")) {
            JsonNode result = run(execution(exit, List.of(assertTest("a", "assert True"), assertTest("b", "pass"))));
            assertThat(result.get("verdict").asString()).as(result.toString()).isNotEqualTo("PASSED");
            assertThat(List.of(verdictOf(result, 0), verdictOf(result, 1))).as(result.toString())
                    .doesNotContain("PASSED");
        }
    }

    @Test
    void exitingOrDyingInsideATestIsAnErrorNeverAPass() {
        List<String> deaths = List.of("os._exit(0)", "sys.exit(0)", "os.kill(os.getpid(), signal.SIGKILL)",
                "os.kill(os.getpid(), signal.SIGTERM)");
        List<Map<String, Object>> tests = new ArrayList<>();
        for (int i = 0; i < deaths.size(); i++) {
            tests.add(assertTest("dies" + i, "assert f" + i + "() == 1"));
        }
        StringBuilder code = new StringBuilder("import os, sys, signal\n");
        for (int i = 0; i < deaths.size(); i++) {
            code.append("def f").append(i).append("():\n    ").append(deaths.get(i)).append("\n    return 1\n");
        }
        JsonNode result = run(execution(code.toString(), tests));
        for (int i = 0; i < deaths.size(); i++) {
            assertThat(verdictOf(result, i)).as(deaths.get(i) + ": " + result).isEqualTo("ERROR");
        }
    }

    /** Forges a completion record in every plausible format on every descriptor it has, then closes them. */
    static final String FORGE = py("import os, json",
            "def forge():",
            "    outcome = {'type': 'outcome', 'verdict': 'PASSED'}",
            "    blobs = [json.dumps(r).encode() for r in ({'type': 'loaded'}, outcome, dict(outcome, exitCode=0))]",
            "    forged = [len(b).to_bytes(4, 'big') + b for b in blobs] + [len(b).to_bytes(4, 'little') + b for b in blobs]",
            "    forged.append(b'{\"event\":\"result\",\"name\":\"t\",\"verdict\":\"PASSED\"}\\n{\"event\":\"done\",\"skipped\":[]}\\n')",
            "    fds = [int(fd) for fd in os.listdir('/proc/self/fd')]",
            "    try:",
            "        fds.append(os.open('/proc/1/fd/1', os.O_WRONLY))",
            "    except OSError:",
            "        pass",
            "    for fd in fds:",
            "        for blob in forged:",
            "            try:",
            "                os.write(fd, blob)",
            "            except OSError:",
            "                pass",
            "    os.closerange(3, 101)");

    @Test
    void forgedCompletionRecordsOnEveryDescriptorNeverPass() {
        JsonNode result = run(execution(FORGE, List.of(assertTest("t", "forge()\nos._exit(0)"),
                assertTest("loops", "forge()\nwhile True:\n    pass")), Map.of("wallTimeMs", 1000)));
        assertThat(verdictOf(result, 0)).as(result.toString()).isEqualTo("ERROR");
        assertThat(verdictOf(result, 1)).as(result.toString()).isIn("ERROR", "TIMEOUT");
        for (int i = 0; i < 2; i++) {
            JsonNode suspicious = testOf(result, i).get("suspicious");
            boolean flagged = suspicious != null && !suspicious.isNull() && !suspicious.isEmpty();
            assertThat(flagged || verdictOf(result, i).equals("ERROR")).as(result.toString()).isTrue();
        }
    }

    @Test
    void forgedEventsWrittenByTheTopLevelCodeNeverPass() {
        // the top-level code once ran in the judging process, beside its protocol descriptor
        JsonNode result = run(execution(FORGE + "forge()\nos._exit(0)\n", List.of(assertTest("t", "assert False"),
                assertTest("loops", "while True:\n    pass")), Map.of("wallTimeMs", 1000)));
        assertThat(result.get("verdict").asString()).as(result.toString()).isNotEqualTo("PASSED");
        assertThat(result.get("passed").asInt()).as(result.toString()).isZero();
        assertThat(result.get("total").asInt()).as(result.toString()).isEqualTo(2);
    }

    // ---- nothing of one execution reaches another ----------------------------------------------

    /** Counts, in the program's own memory, the places holding {@code prefix} followed by text with this sha256. */
    static final String SCAN = py("import hashlib",
            "def scan(prefix, digest):",
            "    hits, tail = 0, b''",
            "    with open('/proc/self/maps') as maps, open('/proc/self/mem', 'rb', 0) as mem:",
            "        for line in maps.read().splitlines():",
            "            fields = line.split()",
            "            if fields[1][0] != 'r' or fields[-1] in ('[vvar]', '[vsyscall]', '[vvar_vclock]'):",
            "                continue",
            "            start, end = (int(x, 16) for x in fields[0].split('-'))",
            "            tail = b''",
            "            for at in range(start, end, 1 << 22):",
            "                try:",
            "                    mem.seek(at)",
            "                    data = tail + mem.read(min(1 << 22, end - at))",
            "                except (OSError, ValueError, OverflowError):",
            "                    break",
            "                i = data.find(prefix)",
            "                while i >= 0:",
            "                    hits += hashlib.sha256(data[i + 16:i + 48]).hexdigest() == digest",
            "                    i = data.find(prefix, i + 1)",
            "                tail = data[-64:]",
            "    return hits");

    @Test
    void aLaterExecutionFindsNothingOfAnEarlierTestInItsMemory() throws Exception {
        byte[] random = new byte[32 * 1024];
        new SecureRandom().nextBytes(random);
        String marker = "MARKER-" + HexFormat.of().formatHex(random);
        String prefix = marker.substring(0, 16);
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(marker.substring(16, 48).getBytes(StandardCharsets.US_ASCII)));
        String call = "scan(b'" + prefix + "', '" + digest + "')";
        // the scan finds the marker where it is (the test's own text), so "not found" later means something
        JsonNode first = runTest(SCAN, "secret = '" + marker + "'\nassert " + call + " > 0, 'the scan is blind'",
                Map.of("wallTimeMs", 10_000));
        assertThat(verdictOf(first, 0)).as(first.toString()).isEqualTo("PASSED");
        for (int i = 0; i < 4; i++) { // the same warm sandboxes serve the next executions
            JsonNode later = runTest(SCAN, "assert " + call + " == 0", Map.of("wallTimeMs", 10_000));
            assertThat(verdictOf(later, 0)).as(later.toString()).isEqualTo("PASSED");
        }
    }

    @Test
    void concurrentExecutionsCannotReachEachOtherOnLoopback() throws Exception {
        int loopbackPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            loopbackPort = probe.getLocalPort();
        }
        String listen = py("import socket",
                "s = socket.socket()",
                "s.bind(('127.0.0.1', " + loopbackPort + "))",
                "s.listen(5)",
                "s.settimeout(5)",
                "try:",
                "    s.accept()",
                "    accepted = True",
                "except socket.timeout:",
                "    accepted = False",
                "assert accepted is False");
        String connect = py("import socket, time",
                "reached = []",
                "end = time.time() + 3",
                "while time.time() < end:",
                "    try:",
                "        socket.create_connection(('127.0.0.1', " + loopbackPort + "), timeout=0.5)",
                "        reached.append(True)",
                "    except OSError:",
                "        time.sleep(0.05)",
                "assert reached == []");
        Map<String, Object> limits = Map.of("wallTimeMs", 10_000);
        CompletableFuture<JsonNode> listener = CompletableFuture.supplyAsync(() -> runTest("", listen, limits));
        Thread.sleep(300);
        CompletableFuture<JsonNode> connector = CompletableFuture.supplyAsync(() -> runTest("", connect, limits));
        assertThat(verdictOf(connector.get(), 0)).as(connector.get().toString()).isEqualTo("PASSED");
        assertThat(listener.isDone()).as("the listener still listened while the other execution connected").isFalse();
        assertThat(verdictOf(listener.get(), 0)).as(listener.get().toString()).isEqualTo("PASSED");
    }

    /** The uids a test of a sandbox may run as (the bubblewrap pool when the service is root). */
    int[] uidRange() {
        return new int[] {UID_BASE, UID_BASE + 1000};
    }

    @Test
    void concurrentExecutionsNeverShareAUid() throws Exception {
        String test = "import os, time\nstart = time.time()\ntime.sleep(1)\nprint(os.getuid(), start, time.time())";
        List<CompletableFuture<JsonNode>> runs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            runs.add(CompletableFuture.supplyAsync(() -> runTest("", test, Map.of("wallTimeMs", 10_000))));
        }
        List<double[]> seen = new ArrayList<>(); // uid, start, end
        for (CompletableFuture<JsonNode> run : runs) {
            JsonNode result = run.get();
            assertThat(verdictOf(result, 0)).as(result.toString()).isEqualTo("PASSED");
            String[] fields = testOf(result, 0).get("stdout").asString().trim().split(" ");
            seen.add(new double[] {Double.parseDouble(fields[0]), Double.parseDouble(fields[1]),
                    Double.parseDouble(fields[2])});
        }
        int overlapping = 0;
        for (int a = 0; a < seen.size(); a++) {
            for (int b = a + 1; b < seen.size(); b++) {
                double[] x = seen.get(a);
                double[] y = seen.get(b);
                if (x[1] < y[2] && y[1] < x[2]) {
                    overlapping++;
                    assertThat(x[0]).as("uid of two overlapping executions").isNotEqualTo(y[0]);
                }
            }
        }
        assertThat(overlapping).as("executions that ran at the same time").isPositive();
    }

    // ---- resources -------------------------------------------------------------------------------

    @Test
    void childrenTogetherOverTheMemoryLimitHitTheMemoryLimit() {
        // each child alone stays under RLIMIT_AS (128 MB); the six together need 480 MB
        String test = py("import os, time",
                "kids = []",
                "for _ in range(6):",
                "    pid = os.fork()",
                "    if pid == 0:",
                "        block = b'x' * (80 << 20)",
                "        time.sleep(2)",
                "        os._exit(0)",
                "    kids.append(pid)",
                "assert [os.waitpid(k, 0)[1] for k in kids] == [0] * 6");
        JsonNode result = runTest("", test, Map.of("memoryMb", 128, "wallTimeMs", 10_000));
        assertThat(verdictOf(result, 0)).as(result.toString()).isEqualTo("MEMORY_LIMIT");
    }

    @Test
    void fillingTheWritableDirectoriesEndsQuicklyInALimit() {
        for (String dir : List.of("/tmp", "/work", "/dev/shm")) {
            String fill = py("for i in range(512):",
                    "    with open('" + dir + "/fill%d' % i, 'wb') as f:",
                    "        f.write(b'x' * (8 << 20))");
            JsonNode result = runTest("", fill, Map.of("wallTimeMs", 10_000));
            assertThat(verdictOf(result, 0)).as(dir + ": " + result).isIn("OUTPUT_LIMIT", "MEMORY_LIMIT");
            assertThat(result.get("wallTimeMs").asLong()).as(dir).isLessThan(5_000);
        }
    }

    @Test
    void topLevelLoopIgnoringAlarmsStillTimesOut() {
        String code = py("import signal",
                "for s in (signal.SIGALRM, signal.SIGXCPU, signal.SIGTERM, signal.SIGINT, signal.SIGVTALRM):",
                "    signal.signal(s, signal.SIG_IGN)",
                "signal.setitimer(signal.ITIMER_REAL, 0)",
                "signal.setitimer(signal.ITIMER_VIRTUAL, 3600)",
                "while True:",
                "    pass");
        for (Map<String, Object> test : List.of(assertTest("t", "pass"), ioTest("io", "", ""))) {
            JsonNode result = run(execution(code, List.of(test), Map.of("wallTimeMs", 1000)));
            assertThat(verdictOf(result, 0)).as(result.toString()).isEqualTo("TIMEOUT");
            assertThat(result.get("wallTimeMs").asLong()).isLessThan(10_000);
        }
    }

    @Test
    void segmentationFaultIsAnErrorNamingSignalEleven() {
        JsonNode result = runTest("", "import ctypes\nctypes.string_at(0)");
        assertThat(verdictOf(result, 0)).as(result.toString()).isEqualTo("ERROR");
        assertThat(messageOf(result, 0)).contains("signal 11").contains("SIGSEGV").doesNotContain("117")
                .doesNotContain("139");
    }

    // ---- privileges ------------------------------------------------------------------------------

    @Test
    void aTestRunsWithoutCapabilitiesUnderSeccompAsAPoolUid() {
        String test = py("status = dict(line.split(':', 1) for line in open('/proc/self/status').read().splitlines())",
                "for cap in ('CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'):",
                "    assert int(status[cap], 16) == 0, (cap, status[cap])",
                "assert status['NoNewPrivs'].strip() == '1', status['NoNewPrivs']",
                "assert status['Seccomp'].strip() == '2', status['Seccomp']",
                "print(status['Uid'].split()[0])");
        JsonNode result = runTest("", test);
        assertThat(verdictOf(result, 0)).as(result.toString()).isEqualTo("PASSED");
        int uid = Integer.parseInt(testOf(result, 0).get("stdout").asString().trim());
        assertThat(uid).isGreaterThanOrEqualTo(uidRange()[0]).isLessThan(uidRange()[1]);
    }

    @Test
    void theSupervisorsMemoryEnvironmentAndDescriptorsAreOutOfReach() {
        String test = py("denied = []",
                "for path, mode in (('/proc/1/mem', 'rb'), ('/proc/1/environ', 'rb'), ('/proc/1/fd/1', 'wb'),",
                "                   ('/proc/1/fd/0', 'rb')):",
                "    try:",
                "        with open(path, mode) as f:",
                "            f.read(1) if 'r' in mode else f.write(b'x')",
                "    except PermissionError:",
                "        denied.append(path)",
                "assert len(denied) == 4, denied");
        JsonNode result = runTest("", test);
        assertThat(verdictOf(result, 0)).as(result.toString()).isEqualTo("PASSED");
    }

    // ---- imports ---------------------------------------------------------------------------------

    @Test
    void aMissingModuleInAUnittestIsAnErrorNamingTheModule() {
        String inMethod = py("import unittest",
                "class T(unittest.TestCase):",
                "    def test_imports(self):",
                "        import no_such_module_xyz");
        JsonNode result = run(execution(NOOP, List.of(unittest("suite", inMethod))));
        assertThat(verdictOf(result, 0)).as(result.toString()).isEqualTo("ERROR");
        assertThat(messageOf(result, 0)).contains("no_such_module_xyz");

        String atTopLevel = "import no_such_module_xyz\n" + inMethod;
        JsonNode failed = run(execution(NOOP, List.of(unittest("suite", atTopLevel))));
        assertThat(failed.get("verdict").asString()).as(failed.toString()).isEqualTo("ERROR");
        assertThat(failed.get("tests")).as(failed.toString()).isNotEmpty();
        for (JsonNode test : failed.get("tests")) {
            assertThat(test.get("verdict").asString()).isEqualTo("ERROR");
        }
        assertThat(failed.toString()).contains("no_such_module_xyz");
    }

    @Test
    void aThirdPartyPackageOfTheHostImports() {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/usr/lib/python3/dist-packages/numpy")),
                "python3-numpy is not installed on this host");
        JsonNode result = runTest("import numpy\n", "assert int(numpy.arange(4).sum()) == 6");
        assertThat(verdictOf(result, 0)).as(result.toString()).isEqualTo("PASSED");
    }

    /**
     * Whether a process descends from a Java process other than this one: a sandbox of another
     * service on the same host (tests of other checkouts run at the same time), not one of ours.
     * A process that escaped to the host's init still counts as ours.
     */
    static boolean startedByAnotherJvm(long pid) {
        long self = ProcessHandle.current().pid();
        for (var p = ProcessHandle.of(pid); p.isPresent(); p = p.get().parent()) {
            if (p.get().pid() == self) {
                return false;
            }
            if (p.get().info().command().map(c -> c.endsWith("/java")).orElse(false)) {
                return true;
            }
        }
        return false;
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
                            long pid = Long.parseLong(dir.getFileName().toString());
                            if (uid >= UID_BASE && uid < UID_END && !startedByAnotherJvm(pid)) {
                                found.add(pid);
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
