package org.iterpref.executor.sandbox.cgroup;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.iterpref.executor.sandbox.cgroup.CgroupSupport.Mode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One execution's cgroup: its memory (all of its processes and the tmpfs pages they write
 * together, no swap) and its process count are bounded. v2: one directory with {@code memory.max},
 * {@code memory.swap.max=0}, {@code pids.max} and {@code memory.oom.group=0} (the kernel kills the
 * biggest process, not the whole group, so the harness usually survives to report). v1: a
 * directory in the memory hierarchy ({@code memory.limit_in_bytes}, then
 * {@code memory.memsw.limit_in_bytes} to the same value when swap accounting is on,
 * {@code memory.swappiness=0}) and one in the pids hierarchy ({@code pids.max}).
 *
 * <p>The memory limit is what the caller passed: it must include, besides what the program may
 * use, the harness's own memory and the sizes of the sandbox's tmpfs mounts ({@code /work},
 * {@code /tmp}, {@code /dev/shm}), whose pages are charged to whoever writes them.
 *
 * <p>A process gets in by writing its pid to every file of {@link #procsFiles()}; it must be in
 * before it allocates anything (pages already charged elsewhere stay there). Its children are born
 * in it. See {@link #placeSelfCommand()}.
 *
 * <p>Thread-safe; {@link #close()} is idempotent and never throws.
 */
public final class ExecutionCgroup implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ExecutionCgroup.class);

    /** One directory: v2 has one ({@code unified}), v1 two ({@code memory}, {@code pids}). */
    record Dir(String purpose, Path path) {
    }

    private final String name;
    private final Mode mode;
    private final List<Dir> dirs;
    private final CgroupFs fs;
    private final Duration closeTimeout;
    private final Consumer<ExecutionCgroup> onClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    ExecutionCgroup(String name, Mode mode, List<Dir> dirs, CgroupFs fs, Duration closeTimeout,
                    Consumer<ExecutionCgroup> onClose) {
        this.name = name;
        this.mode = mode;
        this.dirs = List.copyOf(dirs);
        this.fs = fs;
        this.closeTimeout = closeTimeout;
        this.onClose = onClose;
    }

    /**
     * Creates the directories under {@code parents} (one per hierarchy) and writes the limits. A
     * leftover directory of that name (a crashed run) is emptied and removed first. On failure
     * whatever was created is removed again.
     */
    static ExecutionCgroup create(String name, Mode mode, List<Dir> parents, long memoryBytes, long maxPids,
                                  CgroupFs fs, Duration closeTimeout, Consumer<ExecutionCgroup> onClose) {
        if (memoryBytes < 1 << 20) {
            throw new IllegalArgumentException("memory limit below 1 MiB: " + memoryBytes);
        }
        if (maxPids < 1) {
            throw new IllegalArgumentException("maxPids below 1: " + maxPids);
        }
        List<Dir> dirs = parents.stream().map(p -> new Dir(p.purpose(), p.path().resolve(name))).toList();
        ExecutionCgroup cgroup = new ExecutionCgroup(name, mode, dirs, fs, closeTimeout, onClose);
        if (dirs.stream().anyMatch(d -> fs.exists(d.path()))) {
            log.warn("cgroup {} exists already (left over?); emptying and removing it", dirs.get(0).path());
            cgroup.removeQuietly();
        }
        List<Dir> made = new ArrayList<>();
        try {
            for (Dir d : dirs) {
                fs.mkdir(d.path());
                made.add(d);
                Path p = d.path();
                switch (d.purpose()) {
                    case "unified" -> {
                        fs.write(p.resolve("memory.max"), Long.toString(memoryBytes));
                        writeIfPresent(fs, p.resolve("memory.swap.max"), "0");
                        fs.write(p.resolve("pids.max"), Long.toString(maxPids));
                        writeIfPresent(fs, p.resolve("memory.oom.group"), "0");
                    }
                    case "memory" -> {
                        // memsw (memory + swap) must stay >= the memory limit: the memory limit first
                        fs.write(p.resolve("memory.limit_in_bytes"), Long.toString(memoryBytes));
                        writeIfPresent(fs, p.resolve("memory.memsw.limit_in_bytes"), Long.toString(memoryBytes));
                        try {
                            writeIfPresent(fs, p.resolve("memory.swappiness"), "0");
                        } catch (IOException e) {
                            log.debug("cannot set memory.swappiness in {}: {}", p, e.getMessage());
                        }
                    }
                    case "pids" -> fs.write(p.resolve("pids.max"), Long.toString(maxPids));
                    default -> throw new IllegalStateException(d.purpose());
                }
            }
            return cgroup;
        } catch (IOException | RuntimeException e) {
            for (Dir d : made) {
                try {
                    fs.rmdir(d.path());
                } catch (IOException removal) {
                    log.warn("cannot remove half-made cgroup {}: {}", d.path(), removal.getMessage());
                }
            }
            throw new CgroupException("cannot create cgroup " + name + " under " + parents + ": " + e.getMessage(),
                    e);
        }
    }

    /**
     * Sets new limits on this (empty, still open) cgroup, so that a fork server's {@code exec}
     * cgroup serves execution after execution without the cost of making and removing memory
     * cgroups each time. The OOM counters keep counting; readers take differences.
     */
    void relimit(long memoryBytes, long maxPids) {
        try {
            for (Dir d : dirs) {
                Path p = d.path();
                switch (d.purpose()) {
                    case "unified" -> {
                        fs.write(p.resolve("memory.max"), Long.toString(memoryBytes));
                        fs.write(p.resolve("pids.max"), Long.toString(maxPids));
                    }
                    case "memory" -> {
                        // memsw (memory + swap) must stay >= the memory limit at every moment
                        Path limit = p.resolve("memory.limit_in_bytes");
                        Path memsw = p.resolve("memory.memsw.limit_in_bytes");
                        boolean raising = memoryBytes >= Long.parseLong(fs.read(limit).strip());
                        if (raising) {
                            writeIfPresent(fs, memsw, Long.toString(memoryBytes));
                        }
                        fs.write(limit, Long.toString(memoryBytes));
                        if (!raising) {
                            writeIfPresent(fs, memsw, Long.toString(memoryBytes));
                        }
                    }
                    case "pids" -> fs.write(p.resolve("pids.max"), Long.toString(maxPids));
                    default -> throw new IllegalStateException(d.purpose());
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new CgroupException("cannot set the limits of cgroup " + name + ": " + e.getMessage(), e);
        }
    }

    private static void writeIfPresent(CgroupFs fs, Path file, String value) throws IOException {
        if (fs.exists(file)) {
            fs.write(file, value);
        }
    }

    public String name() {
        return name;
    }

    public Mode mode() {
        return mode;
    }

    /** The cgroup directories: v2 one, v1 the memory one then the pids one. */
    public List<Path> directories() {
        return dirs.stream().map(Dir::path).toList();
    }

    /** The {@code cgroup.procs} files a process must write its pid into (v1: two, memory then pids). */
    public List<Path> procsFiles() {
        return dirs.stream().map(d -> d.path().resolve("cgroup.procs")).toList();
    }

    /**
     * A command prefix that puts the started process into this cgroup before it executes the rest:
     * {@code /bin/sh -c 'for f in ...; do echo $$ > "$f" || exit 125; done; exec "$@"' sh}; append the
     * real command (e.g. {@code setpriv ... bwrap ...}). The shell writes its own pid, then
     * execs (same pid), so the sandbox and everything it forks are charged to this cgroup from
     * their first page. Exit status 125 means the shell could not enter the cgroup. Must run as
     * root (the cgroup files belong to root).
     */
    public List<String> placeSelfCommand() {
        StringBuilder files = new StringBuilder();
        for (Path p : procsFiles()) {
            files.append(' ').append(shellQuote(p.toString()));
        }
        return List.of("/bin/sh", "-c",
                "for f in" + files + "; do echo $$ > \"$f\" || exit 125; done; exec \"$@\"", "sh");
    }

    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * The directories to bind-mount <em>read-only</em> into the sandbox, so that code there can read
     * its own limits and events ({@code memory.events}, v1 {@code memory.oom_control},
     * {@code pids.current}). Read-only: a process that could write {@code memory.max} or
     * {@code cgroup.procs} could lift its limits or leave. (Sandboxed code runs without
     * capabilities and as another uid than the files' owner, so it could not write them anyway.)
     */
    public List<CgroupBind> sandboxBinds() {
        return dirs.stream().map(d -> new CgroupBind(d.path(), d.purpose(), sandboxPath(d.purpose()))).toList();
    }

    static String sandboxPath(String purpose) {
        return purpose.equals("unified") ? "/sys/fs/cgroup" : "/sys/fs/cgroup/" + purpose;
    }

    private Path memoryDir() {
        return dirs.get(0).path();
    }

    private Path pidsDir() {
        return dirs.get(dirs.size() - 1).path();
    }

    /**
     * Processes the kernel's OOM killer killed in this cgroup (v2: {@code oom_kill} of
     * {@code memory.events}, which counts descendants too; v1: {@code oom_kill} of
     * {@code memory.oom_control}). 0 when the file cannot be read.
     */
    public long oomKills() {
        return mode == Mode.V2 ? keyed(memoryDir().resolve("memory.events"), "oom_kill")
                : keyed(memoryDir().resolve("memory.oom_control"), "oom_kill");
    }

    /**
     * How often the memory limit was hit (v2: {@code max} of {@code memory.events}; v1:
     * {@code memory.failcnt}). Hitting it means reclaim, not necessarily an OOM kill. Observed: v1
     * on kernel 6.18 leaves {@code memory.failcnt} at 0 even when the limit forces OOM kills; rely
     * on {@link #oomKills()}.
     */
    public long memoryLimitHits() {
        return mode == Mode.V2 ? keyed(memoryDir().resolve("memory.events"), "max")
                : single(memoryDir().resolve("memory.failcnt")).orElse(0);
    }

    /** Highest memory use (v2: {@code memory.peak}, kernel 5.19+; v1: {@code memory.max_usage_in_bytes}). */
    public OptionalLong peakBytes() {
        return single(memoryDir().resolve(mode == Mode.V2 ? "memory.peak" : "memory.max_usage_in_bytes"));
    }

    /** Current memory use (v2: {@code memory.current}; v1: {@code memory.usage_in_bytes}). */
    public OptionalLong currentBytes() {
        return single(memoryDir().resolve(mode == Mode.V2 ? "memory.current" : "memory.usage_in_bytes"));
    }

    /** Processes (tasks, in fact: threads count too) now in the cgroup ({@code pids.current}); 0 when unreadable. */
    public long currentPids() {
        return single(pidsDir().resolve("pids.current")).orElse(0);
    }

    /** The pids (in this service's pid namespace) now in any of the directories. */
    public Set<Long> pids() {
        Set<Long> pids = new LinkedHashSet<>();
        for (Path procs : procsFiles()) {
            try {
                for (String line : fs.read(procs).split("\n")) {
                    if (!line.isBlank()) {
                        long pid = Long.parseLong(line.strip());
                        if (pid > 0) {   // 0: a process outside our pid namespace
                            pids.add(pid);
                        }
                    }
                }
            } catch (NoSuchFileException e) {
                // removed
            } catch (IOException | NumberFormatException e) {
                log.debug("cannot read {}: {}", procs, e.getMessage());
            }
        }
        return pids;
    }

    /**
     * SIGKILLs every process in the cgroup, repeatedly (a process may fork while being killed;
     * {@code pids.max} bounds how long that can go on) until none is left or the close timeout
     * passes. v2 with {@code cgroup.kill} (5.14+) lets the kernel do it atomically first.
     *
     * Processes killed this way leave {@code cgroup.procs} at once but still count in
     * {@code pids.current} until their parent (or init) reaps them.
     *
     * @return whether {@code cgroup.procs} is empty
     */
    public boolean killAll() {
        if (mode == Mode.V2) {
            Path kill = memoryDir().resolve("cgroup.kill");
            if (fs.exists(kill)) {
                try {
                    fs.write(kill, "1");
                } catch (IOException e) {
                    log.debug("cannot write {}: {}", kill, e.getMessage());
                }
            }
        }
        long deadline = System.nanoTime() + closeTimeout.toNanos();
        long self = fs.ownPid();
        while (true) {
            Set<Long> pids = pids();
            pids.remove(self);
            if (pids.isEmpty()) {
                return true;
            }
            pids.forEach(fs::kill);
            if (System.nanoTime() > deadline) {
                log.warn("cgroup {} still holds processes {} after {}", name, pids, closeTimeout);
                return false;
            }
            sleep(5);
        }
    }

    /**
     * Kills everything in the cgroup, waits (bounded by the close timeout) until it is empty and
     * removes the directories. An already-removed directory is fine; any other problem is logged,
     * never thrown (a directory left behind is removed as stale by a later service start, or by
     * {@link CgroupManager#create} reusing the name).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            removeQuietly();
        } finally {
            if (onClose != null) {
                onClose.accept(this);
            }
        }
    }

    private void removeQuietly() {
        killAll();
        long deadline = System.nanoTime() + closeTimeout.toNanos();
        for (Dir d : dirs) {
            while (true) {
                try {
                    fs.rmdir(d.path());
                    break;
                } catch (NoSuchFileException e) {
                    break;
                } catch (IOException e) {
                    // EBUSY while exiting processes are not yet reaped: try again until the deadline
                    if (System.nanoTime() > deadline) {
                        log.warn("cannot remove cgroup {}: {}", d.path(), e.getMessage());
                        break;
                    }
                    killAll();
                    sleep(5);
                }
            }
        }
    }

    boolean isClosed() {
        return closed.get();
    }

    private OptionalLong single(Path file) {
        try {
            String s = fs.read(file).strip();
            return s.equals("max") ? OptionalLong.of(Long.MAX_VALUE) : OptionalLong.of(Long.parseLong(s));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private long keyed(Path file, String key) {
        try {
            return parseKeyed(fs.read(file), key).orElse(0);
        } catch (IOException e) {
            return 0;
        }
    }

    /** Files of {@code key value} lines ({@code memory.events}, {@code memory.oom_control}, {@code memory.stat}). */
    static OptionalLong parseKeyed(String text, String key) {
        for (String line : text.split("\n")) {
            String[] kv = line.strip().split("\\s+");
            if (kv.length == 2 && kv[0].equals(key)) {
                try {
                    return OptionalLong.of(Long.parseLong(kv[1]));
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "cgroup " + name + " " + directories();
    }
}
