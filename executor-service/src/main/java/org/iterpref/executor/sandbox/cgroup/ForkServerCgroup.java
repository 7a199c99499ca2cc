package org.iterpref.executor.sandbox.cgroup;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.iterpref.executor.sandbox.cgroup.CgroupSupport.Mode;
import org.iterpref.executor.sandbox.cgroup.ExecutionCgroup.Dir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cgroups of one fork server: {@code <service parent>/fs-<k>/} (in each hierarchy) holding
 * <ul>
 *   <li>{@code server}: the fork server itself (placed there by {@link #placeSelfCommand()} before
 *       it starts its sandbox) and, for a moment, each child it forks;</li>
 *   <li>{@code exec}: the current execution, recreated by the service before each one
 *       ({@link #newExecution}) with that execution's limits and fresh counters.</li>
 * </ul>
 * Two leaves rather than the server in {@code fs-<k>} itself because of cgroup v2's
 * no-internal-process rule ({@code fs-<k>} must hold no process to give {@code exec} a memory
 * controller); v1 uses the same layout for one code path.
 *
 * <p>The fork server's sandbox gets each {@code fs-<k>} directory bind-mounted <em>read-write</em>
 * ({@link #writableBinds()}). A forked child, still root and before it allocates anything, moves
 * itself by writing {@code 0} (the writer) to each file of {@link #execProcsInSandbox()}, then
 * unshares its namespaces, mounts its tmpfs, drops to its uid and runs the code. The kernel allows
 * that move because the writer is root (uid 0 owns the files; no CAP_DAC_OVERRIDE is needed) and
 * can write {@code fs-<k>/cgroup.procs}, the common ancestor of source and destination. With v2
 * mounted {@code nsdelegate} (systemd hosts) both cgroups must also be inside the writer's cgroup
 * namespace: so the fork server should <em>not</em> get a cgroup namespace of its own (its root
 * would be {@code server}, which does not contain {@code exec}); each execution child can unshare
 * one after moving into {@code exec}.
 */
public final class ForkServerCgroup implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ForkServerCgroup.class);

    private final int index;
    private final Mode mode;
    private final List<Dir> dirs;
    private final CgroupFs fs;
    private final Duration closeTimeout;
    private final ExecutionCgroup server;
    private final Consumer<ForkServerCgroup> onClose;
    private final AtomicBoolean closed = new AtomicBoolean();
    private ExecutionCgroup exec;

    private ForkServerCgroup(int index, Mode mode, List<Dir> dirs, CgroupFs fs, Duration closeTimeout,
                             ExecutionCgroup server, Consumer<ForkServerCgroup> onClose) {
        this.index = index;
        this.mode = mode;
        this.dirs = dirs;
        this.fs = fs;
        this.closeTimeout = closeTimeout;
        this.server = server;
        this.onClose = onClose;
    }

    static ForkServerCgroup create(int index, Mode mode, List<Dir> parents, long serverMemoryBytes,
                                   long serverMaxPids, CgroupFs fs, Duration closeTimeout,
                                   Consumer<ForkServerCgroup> onClose) {
        String name = "fs-" + index;
        List<Dir> dirs = parents.stream().map(p -> new Dir(p.purpose(), p.path().resolve(name))).toList();
        try {
            for (Dir d : dirs) {
                if (!fs.exists(d.path())) {
                    fs.mkdir(d.path());
                }
                if (mode == Mode.V2) {
                    CgroupManager.enableControllers(fs, d.path());
                }
            }
        } catch (IOException e) {
            removeDirs(fs, dirs);
            throw new CgroupException("cannot create fork server cgroup " + dirs + ": " + e.getMessage(), e);
        }
        ExecutionCgroup server;
        try {
            server = ExecutionCgroup.create("server", mode, dirs, serverMemoryBytes, serverMaxPids, fs, closeTimeout,
                    null);
        } catch (RuntimeException e) {
            removeDirs(fs, dirs);
            throw e;
        }
        return new ForkServerCgroup(index, mode, dirs, fs, closeTimeout, server, onClose);
    }

    public int index() {
        return index;
    }

    /** The fork server's own cgroup ({@code fs-<k>/server}); its limits bound the server and its not-yet-moved children. */
    public ExecutionCgroup server() {
        return server;
    }

    /** Prefix for the command that starts the fork server (see {@link ExecutionCgroup#placeSelfCommand()}). */
    public List<String> placeSelfCommand() {
        return server.placeSelfCommand();
    }

    /** The {@code fs-<k>} directories, to bind-mount read-write into the fork server's sandbox. */
    public List<CgroupBind> writableBinds() {
        return dirs.stream().map(d -> new CgroupBind(d.path(), d.purpose(), ExecutionCgroup.sandboxPath(d.purpose())))
                .toList();
    }

    /** Where, inside the fork server's sandbox (with {@link #writableBinds()} at their suggested paths), a child writes {@code 0}. */
    public List<String> execProcsInSandbox() {
        return dirs.stream().map(d -> ExecutionCgroup.sandboxPath(d.purpose()) + "/exec/cgroup.procs").toList();
    }

    /**
     * The {@code exec} cgroup with these limits, for the next execution: the previous execution's
     * one, emptied (whatever is left in it killed) and given the new limits, or a fresh one when
     * that fails. Making and removing a memory cgroup per execution would cost milliseconds each
     * time. The cgroup is closed by {@link #close()}.
     */
    public synchronized ExecutionCgroup newExecution(long memoryBytes, long maxPids) {
        if (closed.get()) {
            throw new IllegalStateException("fork server cgroup fs-" + index + " is closed");
        }
        if (exec != null) {
            try {
                if (exec.killAll()) {
                    exec.relimit(memoryBytes, maxPids);
                    return exec;
                }
            } catch (CgroupException e) {
                log.debug("cannot reuse {}: {}", exec, e.getMessage());
            }
            exec.close();
        }
        exec = ExecutionCgroup.create("exec", mode, dirs, memoryBytes, maxPids, fs, closeTimeout, null);
        return exec;
    }

    /** Kills and removes {@code exec} and {@code server}, then removes {@code fs-<k>}. Never throws. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            synchronized (this) {
                if (exec != null) {
                    exec.close();
                }
            }
            server.close();
            removeDirs(fs, dirs);
        } finally {
            if (onClose != null) {
                onClose.accept(this);
            }
        }
    }

    private static void removeDirs(CgroupFs fs, List<Dir> dirs) {
        for (Dir d : dirs) {
            try {
                fs.rmdir(d.path());
            } catch (NoSuchFileException e) {
                // gone already
            } catch (IOException e) {
                log.warn("cannot remove cgroup {}: {}", d.path(), e.getMessage());
            }
        }
    }
}
