package org.iterpref.executor.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.iterpref.executor.runtime.PythonRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The libseccomp filter of {@code runtime/python/sandbox_seccomp.py}, installed in a plain
 * {@code python3 -I -S} child (no sandbox needed: the filter binds only that process), then
 * probed with raw system calls (x86_64 numbers).
 *
 * <p>The tests run as root on some machines, so every probe is harmless even if the filter did
 * nothing: refused calls get invalid arguments or act on the probe's own forked child. And since
 * the kernel itself answers EPERM to many of them for an unprivileged user, the probes run twice:
 * once with the sandbox's EPERM, once with a marker errno (ENOTRECOVERABLE) no kernel path
 * returns for these calls, which shows the refusal came from the filter.
 */
class SeccompFilterTest {

    private static final String PYTHON = "/usr/bin/python3";
    private static final int EPERM = 1;
    private static final int ENOSYS = 38;
    private static final int ENOTRECOVERABLE = 131;
    private static final int SIGSYS = 31;
    /** personality values Docker's default profile allows. */
    private static final Set<Long> PERSONALITY_ALLOWED = Set.of(0L, 8L, 0x20000L, 0x20008L, 0xFFFFFFFFL);

    /**
     * argv: module directory, deny errno, scratch directory, and "full" (the whole filter) or
     * "split" (the fork server's part, then the execution's part on top). Prints one JSON object: "denied"
     * (probe name: errno, or "signal N" if the probe was killed), "allowed" (check name: true when
     * it worked), "status" (Seccomp and NoNewPrivs lines), "personality" ([hex value, errno or 0]),
     * "ms" (prepare and install times).
     */
    private static final String PROBE = """
            import ctypes, errno, json, mmap, os, random, socket, subprocess, sys, threading, time
            sys.path.insert(0, sys.argv[1])
            import sandbox_seccomp
            deny_errno, scratch, parts = int(sys.argv[2]), sys.argv[3], sys.argv[4]
            parts = ("full",) if parts == "full" else ("server", "execution")

            t0 = time.perf_counter()
            for part in parts:
                sandbox_seccomp.prepare(deny_errno=deny_errno, part=part)
            t1 = time.perf_counter()
            for part in parts:
                sandbox_seccomp.install(deny_errno=deny_errno, part=part)
            t2 = time.perf_counter()

            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long
            L = ctypes.c_long

            def raw(nr, *args):
                ctypes.set_errno(0)
                rc = libc.syscall(L(nr), *args)
                return rc, ctypes.get_errno()

            def in_child(action):
                # runs action() in a forked child, so nothing it does (or the filter's kill) touches this process
                r, w = os.pipe()
                pid = os.fork()
                if pid == 0:
                    os.close(r)
                    rc, err = action()
                    os.write(w, json.dumps(err if rc == -1 else 0).encode())
                    os._exit(0)
                os.close(w)
                out = os.read(r, 100)
                os.close(r)
                _, status = os.waitpid(pid, 0)
                return json.loads(out) if out else "signal %d" % os.WTERMSIG(status) if os.WIFSIGNALED(status) else "no answer"

            def clone_with(flag):
                rc, err = raw(56, L(flag | 17), L(0), L(0), L(0), L(0))  # flag | SIGCHLD, fork-like
                if rc == 0:
                    os._exit(0)  # the clone's child, if the filter let it through
                return rc, err

            def ptrace_parent():
                parent = os.getppid()
                rc, err = raw(101, L(16), L(parent), None, None)  # PTRACE_ATTACH
                if rc == 0:  # the filter let it through: release the parent again
                    os.waitpid(parent, 0x40000000)  # __WALL
                    raw(101, L(17), L(parent), None, None)  # PTRACE_DETACH
                return rc, err

            nowhere = b"/nonexistent-iterpref-seccomp"
            denied = {
                "mount": lambda: raw(165, None, nowhere, None, L(0), None),
                "umount2": lambda: raw(166, nowhere, L(0)),
                "keyctl": lambda: raw(250, L(0), L(-3), L(0)),  # KEYCTL_GET_KEYRING_ID of the session keyring
                "bpf": lambda: raw(321, L(9999), None, L(0)),
                "perf_event_open": lambda: raw(298, None, L(0), L(-1), L(-1), L(0)),
                "userfaultfd": lambda: raw(323, L(0o2000000)),
                "ptrace_attach_parent": ptrace_parent,
                "process_vm_readv": lambda: raw(310, L(os.getpid()), None, L(0), None, L(0), L(0)),
                "kexec_load": lambda: raw(246, L(0), L(0), None, L(0x00ff0000)),  # unknown kexec arch
                "unshare_newuser": lambda: raw(272, L(0x10000000)),
                "unshare_newnet": lambda: raw(272, L(0x40000000)),
                "setns": lambda: raw(308, L(-1), L(0)),
                "clone_newuser": lambda: clone_with(0x10000000),
                "clone_newnet": lambda: clone_with(0x40000000),
                "clone3": lambda: raw(435, None, L(0)),
                "personality_read_implies_exec": lambda: raw(135, L(0x0400000)),
                "socket_vsock": lambda: raw(41, L(40), L(1), L(0)),
                "socket_netlink_audit": lambda: raw(41, L(16), L(3), L(9)),
                "x32_getpid": lambda: raw(0x40000000 | 39),
            }
            result = {"denied": {name: in_child(action) for name, action in denied.items()}}

            def forks():
                pid = os.fork()
                if pid == 0:
                    os._exit(7)
                status = os.waitpid(pid, 0)[1]
                return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 7

            def threads():
                seen = []
                t = threading.Thread(target=lambda: seen.append(threading.get_ident()))
                t.start()
                t.join()
                return len(seen) == 1 and seen[0] != threading.get_ident()

            def files():
                path = os.path.join(scratch, "probe.txt")
                with open(path, "w") as f:
                    f.write("hello")
                with open(path) as f:
                    return f.read() == "hello"

            def inet_socket():
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                    s.bind(("127.0.0.1", 0))
                    return s.getsockname()[1] > 0

            def anonymous_mmap():
                m = mmap.mmap(-1, 1 << 20)
                m[:5] = b"hello"
                ok = m[:5] == b"hello"
                m.close()
                return ok

            allowed = {
                "fork_waitpid": forks,
                "thread": threads,
                "file_io": files,
                "inet_socket": inet_socket,
                "mmap": anonymous_mmap,
                "personality_query": lambda: raw(135, L(0xFFFFFFFF))[0] >= 0,
                "subprocess_true": lambda: subprocess.run(["/bin/true"]).returncode == 0,
            }
            result["allowed"] = {}
            for name, check in allowed.items():
                try:
                    result["allowed"][name] = check()
                except OSError as e:
                    result["allowed"][name] = repr(e)

            with open("/proc/self/status") as f:
                result["status"] = [l.rstrip("\\n") for l in f if l.startswith(("Seccomp:", "NoNewPrivs:"))]

            # personality: Docker's values, every single bit, the edges of the rule set, 64-bit values, random ones
            original = raw(135, L(0xFFFFFFFF))[0]
            rng = random.Random(20240601)
            values = [0, 8, 0x20000, 0x20008, 0xFFFFFFFF, 0x3FFF8, 0xFFFE000F, 0xFFFFFFFE, 0xFFFFFFF7,
                      0xFFFDFFFF, 0x7FFFFFFF, 1 << 32, (1 << 32) | 8, 1 << 63]
            values += [1 << b for b in range(32)] + [rng.getrandbits(32) for _ in range(300)]
            table = []
            for v in values:
                rc, err = raw(135, ctypes.c_ulong(v))
                table.append(["%x" % v, err if rc == -1 else 0])
                if rc != -1:
                    raw(135, L(original))
            result["personality"] = table
            result["ms"] = {"prepare": (t1 - t0) * 1e3, "install": (t2 - t1) * 1e3}
            print(json.dumps(result))
            """;

    private final JsonMapper json = JsonMapper.builder().build();

    @TempDir
    Path dir;

    @BeforeAll
    static void requiresX8664AndPython() {
        assumeTrue(Set.of("amd64", "x86_64").contains(System.getProperty("os.arch")),
                "the probes use x86_64 system call numbers");
        assumeTrue(Files.isExecutable(Path.of(PYTHON)), PYTHON + " is missing");
    }

    private Path module() throws IOException {
        Path moduleDir = Files.createDirectories(dir.resolve("module"));
        try (InputStream in = SeccompFilterTest.class.getResourceAsStream("/runtime/python/sandbox_seccomp.py")) {
            assertThat(in).as("sandbox_seccomp.py on the classpath").isNotNull();
            Files.write(moduleDir.resolve("sandbox_seccomp.py"), in.readAllBytes());
        }
        return moduleDir;
    }

    private static String run(String script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON, "-I", "-S", "-c", script));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out;
    }

    private JsonNode probe(int denyErrno) throws Exception {
        return probe(denyErrno, "full");
    }

    private JsonNode probe(int denyErrno, String parts) throws Exception {
        Path scratch = Files.createDirectories(dir.resolve("scratch-" + denyErrno + "-" + parts));
        String out = run(PROBE, module().toString(), Integer.toString(denyErrno), scratch.toString(), parts);
        if (out.contains("cannot load libseccomp")) {
            assumeTrue(false, "libseccomp.so.2 is not installed: " + out.strip());
        }
        return json.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
    }

    private static final List<String> REFUSED = List.of("mount", "umount2", "keyctl", "bpf", "perf_event_open",
            "userfaultfd", "ptrace_attach_parent", "process_vm_readv", "kexec_load", "unshare_newuser",
            "unshare_newnet", "setns", "clone_newuser", "clone_newnet",
            "personality_read_implies_exec", "socket_vsock",
            "socket_netlink_audit");

    @Test
    void refusesWhatDockerRefusesWithEpermAndClone3WithEnosys() throws Exception {
        JsonNode result = probe(EPERM);
        JsonNode denied = result.get("denied");
        for (String name : REFUSED) {
            assertThat(denied.get(name).isInt() ? denied.get(name).asInt() : denied.get(name).toString())
                    .as(name).isEqualTo(EPERM);
        }
        assertThat(denied.get("clone3").asInt()).as("clone3").isEqualTo(ENOSYS);
        assertThat(denied.get("x32_getpid").asString()).as("x32 system call").isEqualTo("signal " + SIGSYS);
        System.out.printf("sandbox_seccomp: prepare %.2f ms, install %.2f ms%n",
                result.get("ms").get("prepare").asDouble(), result.get("ms").get("install").asDouble());
    }

    @Test
    void theRefusalsComeFromTheFilter() throws Exception {
        JsonNode denied = probe(ENOTRECOVERABLE).get("denied");
        for (String name : REFUSED) {
            assertThat(denied.get(name).isInt() ? denied.get(name).asInt() : denied.get(name).toString())
                    .as(name).isEqualTo(ENOTRECOVERABLE);
        }
        assertThat(denied.get("clone3").asInt()).as("clone3").isEqualTo(ENOSYS);
    }

    @Test
    void ordinaryProgramsStillWork() throws Exception {
        JsonNode result = probe(EPERM);
        result.get("allowed").properties().forEach(check ->
                assertThat(check.getValue().isBoolean() && check.getValue().asBoolean())
                        .as(check.getKey() + ": " + check.getValue()).isTrue());
        assertThat(result.get("allowed").size()).isEqualTo(7);
        List<String> status = new ArrayList<>();
        result.get("status").forEach(line -> status.add(line.asString()));
        assertThat(status).contains("Seccomp:\t2", "NoNewPrivs:\t1");
    }

    /** What a fork server installs: its own part once, each execution's part on top. */
    @Test
    void theServerAndExecutionPartsTogetherRefuseExactlyWhatTheWholeFilterRefuses() throws Exception {
        JsonNode split = probe(ENOTRECOVERABLE, "split");
        JsonNode full = probe(ENOTRECOVERABLE, "full");
        assertThat(split.get("denied")).isEqualTo(full.get("denied"));
        assertThat(split.get("personality")).isEqualTo(full.get("personality"));
        assertThat(split.get("allowed")).isEqualTo(full.get("allowed"));
        for (String name : REFUSED) {
            assertThat(split.get("denied").get(name).asInt()).as(name).isEqualTo(ENOTRECOVERABLE);
        }
        System.out.printf("sandbox_seccomp split: prepare %.2f ms, install %.2f ms%n",
                split.get("ms").get("prepare").asDouble(), split.get("ms").get("install").asDouble());
    }

    @Test
    void personalityAllowsExactlyDockersValues() throws Exception {
        JsonNode table = probe(ENOTRECOVERABLE).get("personality");
        assertThat(table.size()).isGreaterThan(300);
        for (JsonNode row : table) {
            long value = Long.parseUnsignedLong(row.get(0).asString(), 16);
            int err = row.get(1).asInt();
            assertThat(err).as("personality(0x%x)", value)
                    .isEqualTo(PERSONALITY_ALLOWED.contains(value) ? 0 : ENOTRECOVERABLE);
        }
    }

    @Test
    void failsClosedWithAClearErrorWhenLibseccompCannotBeLoaded() throws Exception {
        String out = run("""
                import sys
                sys.path.insert(0, sys.argv[1])
                import sandbox_seccomp
                def seccomp_line():
                    with open("/proc/self/status") as f:
                        return [l for l in f if l.startswith("Seccomp:")]
                before = seccomp_line()
                try:
                    sandbox_seccomp.install(library="/nonexistent/libseccomp.so.2")
                    print("INSTALLED")
                except OSError as e:
                    print("ERROR", e)
                print("UNCHANGED" if seccomp_line() == before else "CHANGED")
                """, module().toString());
        assertThat(out).contains("ERROR").contains("cannot load libseccomp (/nonexistent/libseccomp.so.2)")
                .contains("UNCHANGED").doesNotContain("INSTALLED");
    }

    @Test
    void theModuleIsCopiedIntoTheSandboxBesideTheHarness() throws Exception {
        byte[] shipped = new PythonRuntime(PYTHON).sandboxFiles().get("sandbox_seccomp.py");
        assertThat(shipped).isEqualTo(Files.readAllBytes(module().resolve("sandbox_seccomp.py")));
    }
}
