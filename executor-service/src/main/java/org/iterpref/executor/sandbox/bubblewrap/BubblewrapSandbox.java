package org.iterpref.executor.sandbox.bubblewrap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import org.iterpref.executor.runtime.LanguageRuntime;
import org.iterpref.executor.runtime.ResolvedLimits;
import org.iterpref.executor.sandbox.ProcessRunner;
import org.iterpref.executor.sandbox.Sandbox;
import org.iterpref.executor.sandbox.SandboxInvocation;
import org.iterpref.executor.sandbox.SandboxOutput;

/**
 * bubblewrap. Every execution gets new pid, mount and ipc namespaces (and user, uts, network
 * namespaces: its own or its fork server's), only the system directories (and the interpreter's
 * own prefix) mounted read-only, fresh size-capped tmpfs on /work, /tmp and /dev/shm, no network
 * interface but loopback, no new user namespaces, and — when the service runs as root — an
 * unprivileged uid of its own, without which the kernel neither enforces RLIMIT_NPROC nor keeps
 * one sandbox's process budget from another's. The harness is pid 1 of its namespace: a test
 * cannot kill it, orphans are re-parented to it, and when it exits the kernel kills whatever is
 * left before the sandbox reports the exit, so nothing outlives {@link #run}.
 *
 * <p>Two ways to get there:
 * <ul>
 *   <li><b>fork server</b> (default when root): a long-lived bubblewrap sandbox per worker runs
 *       {@code forkserver.py}, which forks each execution into fresh namespaces, tmpfs and uid
 *       from an already-started interpreter (no interpreter start-up per execution);</li>
 *   <li><b>per execution</b>: {@code setpriv} to the execution's uid, then a new bubblewrap
 *       sandbox with {@code --unshare-user --disable-userns --as-pid-1}.</li>
 * </ul>
 */
public final class BubblewrapSandbox implements Sandbox, AutoCloseable {

    static final String HARNESS_DIR = "/sandbox";
    static final String WORKDIR = "/work";
    private static final List<String> SYSTEM_LINKS = List.of("bin", "lib", "lib64", "lib32", "libx32", "sbin");
    /** What the fork server needs, nothing more; its children drop even these before running code. */
    private static final List<String> FORK_SERVER_CAPS = List.of("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID",
            "CAP_SETPCAP", "CAP_NET_ADMIN");
    /** Where an execution sees its own memory cgroup (read-only), for the harness's OOM counts. */
    static final String MEMCG_VIEW = "/run/iterpref/memcg";

    private final String bwrap;
    private final ProcessRunner runner;
    private final UidPool uids;
    private final Path harnessDir;
    private final ForkServerPool forkServers;

    /**
     * @param uidBase    null when the service is not root: bubblewrap then runs as the service's user
     * @param forkServer use fork servers (only possible as root)
     */
    public BubblewrapSandbox(String bwrap, ProcessRunner runner, Integer uidBase, int uidCount,
                             LanguageRuntime runtime, boolean forkServer, ExecutorService ioThreads) {
        this.bwrap = bwrap;
        this.runner = runner;
        this.uids = uidBase == null ? null : new UidPool(uidBase, uidCount);
        this.harnessDir = writeSandboxFiles(runtime);
        boolean serve = forkServer && uidBase != null && !runtime.forkServerCommand("", "").isEmpty();
        this.forkServers = serve ? new ForkServerPool(() -> forkServerCommand(runtime), ioThreads) : null;
    }

    @Override
    public String name() {
        return "bubblewrap";
    }

    public boolean usesForkServers() {
        return forkServers != null;
    }

    @Override
    public SandboxOutput run(SandboxInvocation invocation) {
        Integer uid = uids == null ? null : uids.acquire();
        try {
            ResolvedLimits limits = invocation.limits();
            if (forkServers != null) {
                Map<String, Object> header = Map.of("uid", uid, "deadlineMs", limits.totalWallTimeMs(),
                        "tmpfsBytes", limits.maxFileBytes());
                return forkServers.execute(invocation.runtime().encodeSpec(header), invocation.framedSpec(Map.of()),
                        limits.totalWallTimeMs(), invocation.maxStdoutBytes());
            }
            List<String> command = perExecutionCommand(invocation.runtime(), limits, uid);
            return runner.run(command, Map.of("PATH", "/usr/bin:/bin"), null, invocation.framedSpec(Map.of()),
                    limits.totalWallTimeMs(), invocation.maxStdoutBytes());
        } finally {
            if (uid != null) {
                uids.release(uid);
            }
        }
    }

    List<String> perExecutionCommand(LanguageRuntime runtime, ResolvedLimits limits, Integer uid) {
        List<String> c = new ArrayList<>();
        if (uid != null) {
            c.addAll(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all"));
        }
        c.add(bwrap);
        c.addAll(List.of("--unshare-user", "--disable-userns", "--as-pid-1"));
        systemView(c, runtime);
        String size = Long.toString(limits.maxFileBytes());
        // /dev read-only but for a capped /dev/shm: an uncapped tmpfs there would let a program fill host RAM
        c.addAll(List.of("--size", size, "--tmpfs", "/dev/shm", "--remount-ro", "/dev"));
        c.addAll(List.of("--size", size, "--perms", "0700", "--tmpfs", WORKDIR));
        c.addAll(List.of("--size", size, "--perms", "1777", "--tmpfs", "/tmp"));
        c.addAll(List.of("--chdir", WORKDIR, "--remount-ro", "/", "--"));
        c.addAll(runtime.harnessCommand(runtime.interpreter(), HARNESS_DIR + "/" + runtime.harnessFileName(), true));
        return c;
    }

    /** The fork server's own sandbox: run as root, so bubblewrap may keep the listed capabilities. */
    List<String> forkServerCommand(LanguageRuntime runtime) {
        List<String> c = new ArrayList<>();
        c.add(bwrap);
        c.addAll(List.of("--cap-drop", "ALL"));
        FORK_SERVER_CAPS.forEach(cap -> c.addAll(List.of("--cap-add", cap)));
        systemView(c, runtime);
        // mount points only: each execution mounts its own size-capped tmpfs on them
        c.addAll(List.of("--dir", "/dev/shm", "--remount-ro", "/dev", "--dir", WORKDIR, "--dir", "/tmp",
                "--dir", MEMCG_VIEW));
        c.addAll(List.of("--chdir", "/", "--remount-ro", "/", "--"));
        c.addAll(runtime.forkServerCommand(runtime.interpreter(), HARNESS_DIR));
        return c;
    }

    /** Namespaces, environment and read-only mounts both modes share. */
    private void systemView(List<String> c, LanguageRuntime runtime) {
        c.addAll(List.of("--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--die-with-parent", "--new-session", "--hostname", "sandbox", "--clearenv"));
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
        // bubblewrap makes the parents of its mount points 0700: as root (the fork servers) that
        // hides /etc's binds (ld.so.cache, the alternatives behind libblas.so.3...) from the sandbox uids
        c.addAll(List.of("--perms", "0755", "--dir", "/etc"));
        for (String etc : List.of("/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives", "/etc/mime.types")) {
            c.addAll(List.of("--ro-bind-try", etc, etc));
        }
        for (Path root : runtime.extraReadOnlyRoots()) {
            c.addAll(List.of("--ro-bind", root.toString(), root.toString()));
        }
        c.addAll(List.of("--ro-bind", harnessDir.toString(), HARNESS_DIR));
        c.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
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

    /** The runtime's sandbox files in a host directory every sandbox uid can read, mounted read-only. */
    private static Path writeSandboxFiles(LanguageRuntime runtime) {
        try {
            Path dir = Files.createTempDirectory("iterpref-harness-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            for (Map.Entry<String, byte[]> file : runtime.sandboxFiles().entrySet()) {
                Path path = dir.resolve(file.getKey());
                Files.write(path, file.getValue());
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));
                path.toFile().deleteOnExit();
            }
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sandbox harness files", e);
        }
    }

    @Override
    public void close() {
        if (forkServers != null) {
            forkServers.close();
        }
    }
}
