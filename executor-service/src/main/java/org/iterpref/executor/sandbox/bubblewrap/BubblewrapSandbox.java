package org.iterpref.executor.sandbox.bubblewrap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.iterpref.executor.runtime.LanguageRuntime;
import org.iterpref.executor.runtime.ResolvedLimits;
import org.iterpref.executor.sandbox.ProcessRunner;
import org.iterpref.executor.sandbox.Sandbox;
import org.iterpref.executor.sandbox.SandboxInvocation;
import org.iterpref.executor.sandbox.SandboxOutput;

/**
 * bubblewrap: new user, pid, network, ipc, uts and cgroup namespaces; only the system
 * directories (and the interpreter's own prefix) mounted, read-only; a fresh size-capped tmpfs
 * as workdir and /tmp; no network interface but loopback; no further user namespaces;
 * {@code --die-with-parent}. When the service runs as root each sandbox also gets its own
 * unprivileged uid, without which the kernel does not enforce RLIMIT_NPROC. The harness
 * inside sets the per-process rlimits (CPU, address space, processes, file size).
 *
 * <p>The harness is pid 1 of its namespace ({@code --as-pid-1}): a test cannot kill it, every
 * orphan is re-parented to it, and when it exits the kernel kills whatever is left before
 * bubblewrap reports the exit, so nothing outlives {@link #run}.
 */
public final class BubblewrapSandbox implements Sandbox {

    static final String HARNESS_DIR = "/sandbox";
    static final String WORKDIR = "/work";
    private static final List<String> SYSTEM_LINKS = List.of("bin", "lib", "lib64", "lib32", "libx32", "sbin");

    private final String bwrap;
    private final ProcessRunner runner;
    private final UidPool uids;
    private final Path harnessDir;

    /**
     * @param uids null when the service is not root: bubblewrap then runs as the service's user
     */
    public BubblewrapSandbox(String bwrap, ProcessRunner runner, Integer uidBase, Integer uidCount,
                             List<LanguageRuntime> runtimes) {
        this.bwrap = bwrap;
        this.runner = runner;
        this.uids = uidBase == null ? null : new UidPool(uidBase, uidCount);
        this.harnessDir = writeHarnesses(runtimes);
    }

    @Override
    public String name() {
        return "bubblewrap";
    }

    @Override
    public SandboxOutput run(SandboxInvocation invocation) {
        Integer uid = uids == null ? null : uids.acquire();
        try {
            List<String> command = command(invocation.runtime(), invocation.limits(), uid);
            return runner.run(command, Map.of("PATH", "/usr/bin:/bin"), null, invocation.spec(),
                    invocation.limits().totalWallTimeMs(), invocation.maxStdoutBytes());
        } finally {
            if (uid != null) {
                uids.release(uid);
            }
        }
    }

    List<String> command(LanguageRuntime runtime, ResolvedLimits limits, Integer uid) {
        List<String> c = new ArrayList<>();
        if (uid != null) {
            c.addAll(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all"));
        }
        c.add(bwrap);
        c.addAll(List.of("--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                "--unshare-cgroup-try", "--disable-userns", "--die-with-parent", "--new-session", "--as-pid-1",
                "--hostname", "sandbox", "--clearenv"));
        env(c, "PATH", "/usr/local/bin:/usr/bin:/bin");
        env(c, "HOME", WORKDIR);
        env(c, "TMPDIR", "/tmp");
        env(c, "LANG", "C.UTF-8");
        env(c, "PYTHONHASHSEED", "0");
        env(c, "PYTHONIOENCODING", "utf-8");
        env(c, "MPLBACKEND", "Agg");
        for (String var : List.of("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")) {
            env(c, var, "1");
        }
        c.addAll(List.of("--ro-bind", "/usr", "/usr"));
        for (String link : SYSTEM_LINKS) {
            mountSystemEntry(c, Path.of("/" + link));
        }
        for (String etc : List.of("/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives", "/etc/mime.types")) {
            c.addAll(List.of("--ro-bind-try", etc, etc));
        }
        for (Path root : runtime.extraReadOnlyRoots()) {
            c.addAll(List.of("--ro-bind", root.toString(), root.toString()));
        }
        // /dev read-only but for a capped /dev/shm: an uncapped tmpfs there would let a program fill host RAM
        c.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
        c.addAll(List.of("--size", Long.toString(limits.maxFileBytes()), "--tmpfs", "/dev/shm", "--remount-ro", "/dev"));
        c.addAll(List.of("--size", Long.toString(limits.maxFileBytes()), "--perms", "0700", "--tmpfs", WORKDIR));
        c.addAll(List.of("--size", Long.toString(limits.maxFileBytes()), "--perms", "1777", "--tmpfs", "/tmp"));
        c.addAll(List.of("--ro-bind", harnessDir.toString(), HARNESS_DIR));
        c.addAll(List.of("--chdir", WORKDIR, "--remount-ro", "/", "--"));
        c.addAll(runtime.harnessCommand(runtime.interpreter(), HARNESS_DIR + "/" + runtime.harnessFileName()));
        return c;
    }

    private static void env(List<String> c, String name, String value) {
        c.addAll(List.of("--setenv", name, value));
    }

    /** /bin, /lib ... are symlinks into /usr on merged-usr systems, real directories elsewhere. */
    private static void mountSystemEntry(List<String> c, Path entry) {
        try {
            if (Files.isSymbolicLink(entry)) {
                c.addAll(List.of("--symlink", Files.readSymbolicLink(entry).toString(), entry.toString()));
            } else if (Files.isDirectory(entry)) {
                c.addAll(List.of("--ro-bind", entry.toString(), entry.toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Harness files in a host directory every sandbox uid can read, mounted read-only. */
    private static Path writeHarnesses(List<LanguageRuntime> runtimes) {
        try {
            Path dir = Files.createTempDirectory("iterpref-harness-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            for (LanguageRuntime runtime : runtimes) {
                Path file = dir.resolve(runtime.harnessFileName());
                Files.write(file, runtime.harnessSource());
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            }
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sandbox harness files", e);
        }
    }
}
