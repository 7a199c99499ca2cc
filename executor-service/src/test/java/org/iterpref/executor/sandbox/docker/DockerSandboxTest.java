package org.iterpref.executor.sandbox.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.iterpref.executor.runtime.PythonRuntime;
import org.iterpref.executor.runtime.ResolvedLimits;
import org.iterpref.executor.sandbox.SandboxException;
import org.iterpref.executor.sandbox.SandboxInvocation;
import org.iterpref.executor.sandbox.SandboxOutput;
import org.iterpref.executor.support.DockerEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Real executions through a Docker engine, with the offline image {@link DockerEngine#IMAGE}
 * (built by {@code scripts/docker-engine.sh}, which {@link DockerEngine} runs where no engine
 * answers or the image is missing). Never skipped: without an engine these tests fail.
 */
@Tag("docker")
@Tag("slow")
class DockerSandboxTest {

    static final int UID_BASE = 62500;
    static final int UID_COUNT = 4;
    private static final Pattern NAME = Pattern.compile("\"name\":\\s*\"([^\"]*)\"");
    private static final Pattern VERDICT = Pattern.compile("\"verdict\":\\s*\"([A-Z_]+)\"");

    private static ExecutorService ioThreads;
    private static DockerSandbox sandbox;
    private static PythonRuntime runtime;

    @BeforeAll
    static void engine() {
        DockerEngine.require();
        ioThreads = Executors.newCachedThreadPool();
        sandbox = new DockerSandbox(DockerEngine.settings(UID_BASE, UID_COUNT), ioThreads);
        // only the harness source is taken from the runtime; the interpreter is the image's
        runtime = new PythonRuntime("/usr/bin/python3");
    }

    @AfterAll
    static void close() {
        if (sandbox != null) {
            sandbox.close();
        }
        if (ioThreads != null) {
            ioThreads.shutdownNow();
        }
    }

    @Test
    void passingTestPasses() {
        String id = executionId();
        SandboxOutput output = run(id, spec("def add(a,b):\n    return a+b\n",
                test("t1", "assert add(1,2)==3"), test("t2", "assert add(1,2)==4")), limits(30_000));

        Map<String, String> verdicts = verdicts(output);
        assertEquals("PASSED", verdicts.get("t1"), protocol(output));
        assertEquals("FAILED", verdicts.get("t2"), protocol(output));
        assertTrue(protocol(output).contains("\"event\":\"done\""), protocol(output));
        assertEquals(0, output.exitCode(), output.stderr());
        assertFalse(output.deadlineExceeded());
        assertFalse(output.stdoutTruncated());
        assertTrue(sandbox.containerIds(id).isEmpty(), "container left behind");
    }

    @Test
    void hasNoNetwork() {
        String id = executionId();
        SandboxOutput output = run(id, spec("import socket\n",
                // TEST-NET-1 (RFC 5737): never routed, and unreachable without an interface anyway
                test("connects", "socket.create_connection(('192.0.2.1', 80), timeout=2).close()"),
                test("loopbackOnly", "assert [n for _, n in socket.if_nameindex()] == ['lo']")), limits(30_000));

        Map<String, String> verdicts = verdicts(output);
        assertNotEquals("PASSED", verdicts.get("connects"), protocol(output));
        assertTrue(verdicts.containsKey("connects"), protocol(output));
        assertEquals("PASSED", verdicts.get("loopbackOnly"), protocol(output));
        assertTrue(sandbox.containerIds(id).isEmpty(), "container left behind");
    }

    @Test
    void harnessSurvivesKillingStrayProcesses() {
        String id = executionId();
        SandboxOutput output = run(id, spec("import subprocess, sys, os\n",
                test("spawns", "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'])"),
                test("runsAfter", "assert %d <= os.getuid() < %d and os.getcwd() == '/work'"
                        .formatted(UID_BASE, UID_BASE + UID_COUNT))), limits(30_000));

        Map<String, String> verdicts = verdicts(output);
        assertEquals("PASSED", verdicts.get("spawns"), protocol(output));
        assertEquals("PASSED", verdicts.get("runsAfter"), protocol(output));
        assertEquals(0, output.exitCode(), output.stderr());
        assertFalse(output.deadlineExceeded());
    }

    @Test
    void rootFilesystemIsReadOnlyAndWorkdirWritable() {
        String id = executionId();
        SandboxOutput output = run(id, spec("",
                test("writesWork", "open('/work/x.txt', 'w').write('hi'); assert open('/work/x.txt').read() == 'hi'"),
                test("rootReadOnly", "assert any(m.split()[1] == '/' and 'ro' in m.split()[3].split(',')"
                        + " for m in open('/proc/mounts'))")), limits(30_000));

        Map<String, String> verdicts = verdicts(output);
        assertEquals("PASSED", verdicts.get("writesWork"), protocol(output));
        assertEquals("PASSED", verdicts.get("rootReadOnly"), protocol(output));
    }

    @Test
    void deadlineKillsAndRemovesTheContainer() {
        String id = executionId();
        long started = System.nanoTime();
        SandboxOutput output = run(id, spec("", test("loops", "while True:\n    pass")), limits(3_000));
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;

        assertTrue(output.deadlineExceeded(), protocol(output));
        assertTrue(elapsedMs < 30_000, "took " + elapsedMs + " ms");
        assertTrue(protocol(output).contains("\"event\":\"start\""), protocol(output));
        assertTrue(sandbox.containerIds(id).isEmpty(), "container left behind");
    }

    @Test
    void containerIsHardened() {
        String id = executionId();
        String status = "st = {k: v.strip() for k, v in (l.split(':', 1) for l in open('/proc/self/status'))}\n";
        String cgroup = "import os\n"
                + "def cg(v1, v2):\n    p = v1 if os.path.exists(v1) else v2\n"
                + "    return open(p).read().strip() if os.path.exists(p) else None\n";
        SandboxOutput output = run(id, spec(status + cgroup,
                test("noCapabilities", "assert [st[k] for k in ('CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb')]"
                        + " == ['0000000000000000'] * 5, st"),
                test("noNewPrivileges", "assert st['NoNewPrivs'] == '1', st['NoNewPrivs']"),
                test("defaultSeccompFilter", "assert st['Seccomp'] == '2', st['Seccomp']"),
                test("notRoot", "import os\nassert os.getuid() == os.getgid() != 0 and os.getgroups() in ([], "
                        + "[os.getgid()]), (os.getuid(), os.getgid(), os.getgroups())"),
                test("cappedTmpfs", "import os\nfor d in ('/work', '/tmp', '/dev/shm'):\n"
                        + "    fs = [m.split()[2] for m in open('/proc/mounts') if m.split()[1] == d]\n"
                        + "    v = os.statvfs(d)\n"
                        + "    assert fs == ['tmpfs'] and v.f_blocks * v.f_frsize == 64 << 20, (d, fs, v)"),
                test("memoryWithoutSwap", "limit = cg('/sys/fs/cgroup/memory/memory.limit_in_bytes', "
                        + "'/sys/fs/cgroup/memory.max')\n"
                        + "swap = cg('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes', '/sys/fs/cgroup/memory.swap.max')\n"
                        + "assert limit == str((256 + 64 + 64) << 20), limit\n"
                        + "assert swap in (None, '0', limit), swap"),
                test("pidsLimit", "assert cg('/sys/fs/cgroup/pids/pids.max', '/sys/fs/cgroup/pids.max') == '40'")),
                limits(30_000));

        Map<String, String> verdicts = verdicts(output);
        for (String name : List.of("noCapabilities", "noNewPrivileges", "defaultSeccompFilter", "notRoot",
                "cappedTmpfs", "memoryWithoutSwap", "pidsLimit")) {
            assertEquals("PASSED", verdicts.get(name), name + ": " + protocol(output));
        }
        assertTrue(sandbox.containerIds(id).isEmpty(), "container left behind");
    }

    @Test
    void engineSideLimitsAreSet() {
        var host = DockerSandbox.hostConfig(limits(30_000), UID_BASE);
        assertEquals(host.getMemory(), host.getMemorySwap(), "swap must be off");
        assertEquals("none", host.getNetworkMode());
        assertTrue(host.getReadonlyRootfs());
        assertEquals(List.of("no-new-privileges"), host.getSecurityOpts());
        assertEquals(40L, host.getPidsLimit());
        assertTrue(host.getTmpFs().get("/work").contains("mode=0700,uid=" + UID_BASE), host.getTmpFs().toString());
    }

    @Test
    void concurrentExecutionsNeverShareAUid() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(UID_COUNT);
        try {
            List<Future<SandboxOutput>> runs = new java.util.ArrayList<>();
            for (int i = 0; i < UID_COUNT; i++) {
                // each holds its uid for 2 s, so all of them run at once
                runs.add(callers.submit(() -> run(executionId(), spec("import os, time\n",
                        test("uid", "time.sleep(2)\nassert False, 'uid=%d' % os.getuid()")), limits(60_000))));
            }
            List<Integer> uids = new java.util.ArrayList<>();
            for (Future<SandboxOutput> run : runs) {
                Matcher uid = Pattern.compile("uid=(\\d+)").matcher(protocol(run.get()));
                assertTrue(uid.find(), protocol(run.get()));
                uids.add(Integer.parseInt(uid.group(1)));
            }
            assertEquals(UID_COUNT, uids.stream().distinct().count(), "uids " + uids);
            assertTrue(uids.stream().allMatch(u -> u >= UID_BASE && u < UID_BASE + UID_COUNT), "uids " + uids);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void engineErrorStillRemovesTheContainerAndReturnsItsUid() {
        var settings = DockerEngine.settings(UID_BASE + UID_COUNT, 1);
        var broken = new DockerSettings(settings.host(), settings.image(), "/no/such/python3", settings.uidBase(),
                settings.uidCount(), settings.connectTimeout(), settings.callTimeout(), settings.maxDeadline());
        try (DockerSandbox sandboxWithoutInterpreter = new DockerSandbox(broken, ioThreads)) {
            for (int attempt = 0; attempt < 2; attempt++) {
                String id = executionId();
                long started = System.nanoTime();
                SandboxException e = assertThrows(SandboxException.class, () -> sandboxWithoutInterpreter.run(
                        invocation(id, spec("", test("t", "pass")), limits(30_000))));
                assertTrue(e.getMessage().contains("/no/such/python3"), e.getMessage());
                // the single uid came back: the second attempt did not wait 30 s for it
                assertTrue(System.nanoTime() - started < 20_000_000_000L, "took too long");
                assertTrue(sandbox.containerIds(id).isEmpty(), "container left behind");
            }
        }
    }

    @Test
    void outOfMemoryIsReportedForTheTestThatCausedIt() {
        String id = executionId();
        // tmpfs pages count against the container's memory: three full 60 MiB files exceed 32+64+64 MiB
        String fill = "block = b'x' * (1 << 20)\nfor d in ('/work', '/tmp', '/dev/shm'):\n"
                + "    with open(d + '/fill', 'wb') as f:\n        for _ in range(60):\n            f.write(block)\n";
        SandboxOutput output = run(id, spec("", test("fills", fill), test("after", "pass")),
                new ResolvedLimits(5_000, 32, 32, 65_536, 64, 30_000));

        // the kernel kills the test's process (it asks to be the first choice), the harness
        // reports MEMORY_LIMIT from the container's memory cgroup and goes on with the next test
        Map<String, String> verdicts = verdicts(output);
        assertEquals("MEMORY_LIMIT", verdicts.get("fills"), protocol(output));
        assertEquals("PASSED", verdicts.get("after"), protocol(output));
        assertFalse(output.deadlineExceeded());
        assertTrue(sandbox.containerIds(id).isEmpty(), "container left behind");
    }

    private static SandboxOutput run(String executionId, String spec, ResolvedLimits limits) {
        return sandbox.run(invocation(executionId, spec, limits));
    }

    private static SandboxInvocation invocation(String executionId, String spec, ResolvedLimits limits) {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = tools.jackson.databind.json.JsonMapper.builder().build().readValue(spec, Map.class);
        return new SandboxInvocation(executionId, runtime, map, limits, 1024 * 1024);
    }

    /** 5 s per test, 256 MB, 32 processes, 64 KiB output, 64 MiB workdir; {@code totalMs} in all. */
    private static ResolvedLimits limits(long totalMs) {
        return new ResolvedLimits(5_000, 256, 32, 65_536, 64, totalMs);
    }

    private static String spec(String code, String... tests) {
        return """
                {"code":%s,"tests":[%s],\
                "limits":{"wallTimeMs":5000,"memoryMb":256,"maxProcesses":32,"maxOutputBytes":65536,\
                "maxFileBytes":67108864},"stopOnFirstFailure":false,"ownPidNamespace":true,"skip":[]}"""
                .formatted(json(code), String.join(",", tests));
    }

    private static String test(String name, String code) {
        return "{\"name\":%s,\"kind\":\"assert\",\"code\":%s}".formatted(json(name), json(code));
    }

    private static String json(String text) {
        return text.chars().mapToObj(c -> switch (c) {
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            case '\n' -> "\\n";
            default -> String.valueOf((char) c);
        }).collect(Collectors.joining("", "\"", "\""));
    }

    /** Verdict of each test that has a result event. */
    private static Map<String, String> verdicts(SandboxOutput output) {
        Map<String, String> verdicts = new LinkedHashMap<>();
        for (String line : protocol(output).split("\n")) {
            if (!line.matches(".*\"event\":\\s*\"result\".*")) {
                continue;
            }
            Matcher name = NAME.matcher(line);
            Matcher verdict = VERDICT.matcher(line);
            if (name.find() && verdict.find()) {
                verdicts.put(name.group(1), verdict.group(1));
            }
        }
        return verdicts;
    }

    private static String protocol(SandboxOutput output) {
        return new String(output.stdout(), StandardCharsets.UTF_8) + "\n--- stderr:\n" + output.stderr();
    }

    private static String executionId() {
        return "docker-sandbox-test-" + UUID.randomUUID();
    }
}
