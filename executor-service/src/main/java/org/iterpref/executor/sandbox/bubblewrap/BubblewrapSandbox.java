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
import org.iterpref.executor.sandbox.cgroup.CgroupBind;
import org.iterpref.executor.sandbox.cgroup.CgroupManager;
import org.iterpref.executor.sandbox.cgroup.ExecutionCgroup;
import org.iterpref.executor.sandbox.cgroup.ForkServerCgroup;
import org.iterpref.executor.sandbox.UidPool;

/**
 * bubblewrap. Every execution gets new pid, mount and ipc namespaces (and user, uts, network
 * namespaces: its own or its fork server's), only the system directories (and the interpreter's
 * own prefix) mounted read-only, fresh size-capped tmpfs on /work, /tmp and /dev/shm, no network
 * interface but loopback, no new user namespaces, and — when the service runs as root — an
 * unprivileged uid of its own, without which the kernel neither enforces RLIMIT_NPROC nor keeps
 * one sandbox's process budget from another's. A harness process is pid 1 of the execution's pid
 * namespace (the supervisor, or in a fork server the spawner): a test cannot kill it, orphans are
 * re-parented to it, and when it exits the kernel kills whatever is left before the sandbox
 * reports the exit, so nothing outlives {@link #run}.
 *
 * <p>Two ways to get there:
 * <ul>
 *   <li><b>fork server</b> (default when root): a long-lived bubblewrap sandbox per worker runs
 *       {@code forkserver.py}, which forks each execution's spawner into fresh namespaces, tmpfs
 *       and uid from an already-started interpreter (no interpreter start-up per execution), and
 *       judges in a long-lived process of its own, under a uid no execution has;</li>
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
    /** The harness's own processes in the execution's cgroup: the supervisor and spawner (in fork-server mode the spawner). */
    static final long HARNESS_MEMORY_MB = 64;
    static final long HARNESS_PROCESSES = 4;

    private final String bwrap;
    private final ProcessRunner runner;
    private final UidPool uids;
    private final Path harnessDir;
    private final ForkServerPool forkServers;
    private final CgroupManager cgroups;

    /**
     * @param uidBase    null when the service is not root: bubblewrap then runs as the service's user
     * @param forkServer use fork servers (only possible as root)
     * @param pinCpus    run each fork server on one core, the next free one in turn
     */
    public BubblewrapSandbox(String bwrap, ProcessRunner runner, Integer uidBase, int uidCount,
                             LanguageRuntime runtime, boolean forkServer, ExecutorService ioThreads,
                             CgroupManager cgroups, boolean pinCpus) {
        this.bwrap = bwrap;
        this.runner = runner;
        this.uids = uidBase == null ? null : new UidPool(uidBase, uidCount, "iterpref.executor.bubblewrap.uid-count");
        this.harnessDir = writeSandboxFiles(runtime);
        this.cgroups = cgroups != null && cgroups.available() ? cgroups : null;
        boolean serve = forkServer && uidBase != null && !runtime.forkServerCommand("", "").isEmpty();
        this.forkServers = serve ? new ForkServerPool((cgroup, cpu) -> forkServerCommand(runtime, cgroup,
                uidBase - 1, cpu), this.cgroups, ioThreads, pinCpus) : null;
    }

    /** Whether each execution gets its own memory and pids cgroup. */
    public boolean usesCgroups() {
        return cgroups != null;
    }

    /**
     * Memory of an execution's cgroup: the program's limit plus room for the harness's own two
     * processes. Everything the execution's processes touch counts against it, tmpfs pages
     * (/work, /tmp, /dev/shm) included.
     */
    static long cgroupMemoryBytes(ResolvedLimits limits) {
        return (limits.memoryMb() + HARNESS_MEMORY_MB) * 1024L * 1024;
    }

    /** The program's process limit plus the harness's own processes. */
    static long cgroupPids(ResolvedLimits limits) {
        return limits.maxProcesses() + HARNESS_PROCESSES;
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
                return forkServers.execute(header, invocation, cgroupMemoryBytes(limits), cgroupPids(limits));
            }
            ExecutionCgroup cgroup = cgroups == null ? null
                    : cgroups.create("exec-" + invocation.executionId() + "-" + uid, cgroupMemoryBytes(limits),
                    cgroupPids(limits));
            try {
                List<String> command = new ArrayList<>(cgroup == null ? List.of() : cgroup.placeSelfCommand());
                command.addAll(perExecutionCommand(invocation.runtime(), limits, uid, cgroup));
                return runner.run(command, Map.of("PATH", "/usr/bin:/bin"), null, invocation.framedSpec(),
                        limits.totalWallTimeMs(), invocation.maxStdoutBytes());
            } finally {
                if (cgroup != null) {
                    cgroup.close();
                }
            }
        } finally {
            if (uid != null) {
                uids.release(uid);
            }
        }
    }

    List<String> perExecutionCommand(LanguageRuntime runtime, ResolvedLimits limits, Integer uid,
                                     ExecutionCgroup cgroup) {
        List<String> c = new ArrayList<>();
        if (uid != null) {
            c.addAll(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all"));
        }
        c.add(bwrap);
        c.addAll(List.of("--unshare-user", "--disable-userns", "--as-pid-1"));
        systemView(c, runtime, true);
        String size = Long.toString(limits.maxFileBytes());
        // /dev read-only but for a capped /dev/shm: an uncapped tmpfs there would let a program fill host RAM
        c.addAll(List.of("--size", size, "--tmpfs", "/dev/shm", "--remount-ro", "/dev"));
        c.addAll(List.of("--size", size, "--perms", "0700", "--tmpfs", WORKDIR));
        c.addAll(List.of("--size", size, "--perms", "1777", "--tmpfs", "/tmp"));
        if (cgroup != null) {
            memoryBind(cgroup.sandboxBinds()).ifPresent(dir -> c.addAll(List.of("--ro-bind", dir, MEMCG_VIEW)));
        }
        c.addAll(List.of("--chdir", WORKDIR, "--remount-ro", "/", "--"));
        c.addAll(runtime.harnessCommand(runtime.interpreter(), HARNESS_DIR + "/" + runtime.harnessFileName(), true));
        return c;
    }

    /** The directory holding an execution's memory counters (v1 memory or v2 unified). */
    private static java.util.Optional<String> memoryBind(List<CgroupBind> binds) {
        return binds.stream().filter(CgroupBind::holdsMemory).map(b -> b.hostDir().toString()).findFirst();
    }

    /**
     * The fork server's own sandbox: run as root, so bubblewrap may keep the listed capabilities.
     * With cgroups, it starts in its fork server's {@code server} cgroup and sees its {@code fs-<k>}
     * directories read-write, so that each execution's first child can move itself into {@code exec}.
     *
     * @param judgeUid the uid of the server's judge (the harness's supervisor): just below the
     *                 executions' pool, so no execution ever has it
     * @param cpu      the core the server (its judge and its executions) runs on, or null to leave
     *                 it to the scheduler
     */
    List<String> forkServerCommand(LanguageRuntime runtime, ForkServerCgroup cgroup, int judgeUid, Integer cpu) {
        List<String> c = new ArrayList<>(cgroup == null ? List.of() : cgroup.placeSelfCommand());
        c.add(bwrap);
        c.addAll(List.of("--cap-drop", "ALL"));
        FORK_SERVER_CAPS.forEach(cap -> c.addAll(List.of("--cap-add", cap)));
        systemView(c, runtime, cgroup == null);
        if (cgroup != null) {
            for (CgroupBind bind : cgroup.writableBinds()) {
                c.addAll(List.of("--bind", bind.hostDir().toString(), bind.sandboxPath()));
            }
        }
        // mount points only: each execution mounts its own size-capped tmpfs on them
        c.addAll(List.of("--dir", "/dev/shm", "--remount-ro", "/dev", "--dir", WORKDIR, "--dir", "/tmp"));
        c.addAll(List.of("--chdir", "/", "--remount-ro", "/", "--"));
        c.addAll(runtime.forkServerCommand(runtime.interpreter(), HARNESS_DIR));
        c.add("--judge-uid=" + judgeUid);
        if (cpu != null) {
            c.add("--cpu=" + cpu);
        }
        return c;
    }

    /**
     * Namespaces, environment and read-only mounts both modes share. A fork server that moves
     * executions between cgroups keeps the service's cgroup namespace (each execution unshares
     * its own after moving).
     */
    private void systemView(List<String> c, LanguageRuntime runtime, boolean ownCgroupNamespace) {
        c.addAll(List.of("--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"));
        if (ownCgroupNamespace) {
            c.add("--unshare-cgroup-try");
        }
        c.addAll(List.of("--die-with-parent", "--new-session", "--hostname", "sandbox", "--clearenv"));
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
