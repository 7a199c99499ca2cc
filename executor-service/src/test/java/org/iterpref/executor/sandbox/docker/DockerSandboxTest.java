package org.iterpref.executor.sandbox.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.iterpref.executor.runtime.PythonRuntime;
import org.iterpref.executor.runtime.ResolvedLimits;
import org.iterpref.executor.sandbox.SandboxInvocation;
import org.iterpref.executor.sandbox.SandboxOutput;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Real executions through a Docker engine. Skipped, with the reason printed, where no engine
 * answers (DOCKER_HOST or the local socket). The image can be changed with
 * {@code -Diterpref.test.docker.image=...}; it is pulled on first use when absent.
 */
@Tag("docker")
@Tag("slow")
class DockerSandboxTest {

    private static final String IMAGE = System.getProperty("iterpref.test.docker.image", "python:3.12-slim");
    private static final Pattern NAME = Pattern.compile("\"name\":\\s*\"([^\"]*)\"");
    private static final Pattern VERDICT = Pattern.compile("\"verdict\":\\s*\"([A-Z_]+)\"");

    private static ExecutorService ioThreads;
    private static DockerSandbox sandbox;
    private static PythonRuntime runtime;

    @BeforeAll
    static void engine() {
        ioThreads = Executors.newCachedThreadPool();
        sandbox = new DockerSandbox("", IMAGE, "python3", "65534:65534", ioThreads);
        Optional<String> reason = sandbox.unavailableReason();
        reason.ifPresent(why -> System.out.println("DockerSandboxTest skipped: " + why));
        Assumptions.assumeTrue(reason.isEmpty(), () -> "DockerSandboxTest skipped: " + reason.orElse(""));
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
                test("runsAfter", "assert os.getuid() == 65534 and os.getcwd() == '/work'")), limits(30_000));

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

    private static SandboxOutput run(String executionId, String spec, ResolvedLimits limits) {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = tools.jackson.databind.json.JsonMapper.builder().build().readValue(spec, Map.class);
        return sandbox.run(new SandboxInvocation(executionId, runtime, map, limits, 1024 * 1024));
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
