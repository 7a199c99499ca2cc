package org.iterpref.executor.sandbox.cgroup;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.iterpref.executor.sandbox.cgroup.CgroupSupport.Base;
import org.iterpref.executor.sandbox.cgroup.CgroupSupport.Mode;
import org.iterpref.executor.sandbox.cgroup.ExecutionCgroup.Dir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's cgroups: detects the interface ({@link CgroupSupport}), creates the service's
 * parent cgroup {@code iterpref-<pid>} under its own cgroup (in each hierarchy: v2 one, v1 memory
 * and pids), and creates execution and fork-server cgroups under it. Never throws while starting:
 * when cgroups cannot be used, {@link #available()} is false and {@link #description()} says why
 * (for health and logs). Plain Java; a Spring bean with {@code destroyMethod = "close"}.
 *
 * <h2>Layout</h2>
 * <pre>
 * &lt;service cgroup&gt;/                   the service's own cgroup (or the configured parent)
 *   iterpref.leaf/                     v2 only, when the service had to leave its own cgroup (below)
 *   iterpref-&lt;pid&gt;/                   the service parent: created at start, removed at close
 *     &lt;execution name&gt;/               {@link #create}: one per execution started by the service
 *     fs-&lt;k&gt;/                         {@link #createForkServer}: one per fork server
 *       server/                        the fork server
 *       exec/                          its current execution, recreated for each
 * </pre>
 *
 * <h2>cgroup v2 and the no-internal-process rule</h2>
 * A v2 cgroup that holds processes cannot hand the memory and pids controllers to children, and
 * the service's own cgroup holds the service. The parent is therefore created under the service's
 * own cgroup after, when its {@code cgroup.subtree_control} cannot enable {@code memory pids},
 * every process of that cgroup has been moved into a leaf {@code iterpref.leaf} beside it (what
 * systemd documents for services with {@code Delegate=yes}, and what container init scripts do for
 * a container's cgroup namespace root). Moving processes down does not lift any limit: the leaf is
 * below the same ancestors. The alternatives were rejected: the cgroup's parent is not the
 * service's (a systemd slice, the pod) and, behind a cgroup namespace, not even visible; a sibling
 * of the service's cgroup is in the same cgroup as that parent. With a configured parent cgroup
 * nothing is moved: it must hold no processes (or already delegate memory and pids).
 *
 * <h2>Stale parents</h2>
 * At start, every {@code iterpref-<pid>[-...]} directory beside the service's parent whose pid no
 * longer runs is removed when empty (its empty children first); one still holding processes is
 * left alone. A pid from another pid namespace might look dead here: its owner's parent would then
 * be removed only if empty, and {@link #create} recreates the parent when it is missing.
 */
public final class CgroupManager implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CgroupManager.class);
    static final String LEAF = "iterpref.leaf";
    private static final Pattern PARENT = Pattern.compile("iterpref-(\\d+)(-[A-Za-z0-9_.-]*)?");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
    private static final Pattern RESERVED = Pattern.compile("fs-\\d+");

    private final CgroupSupport support;
    private final String description;
    private final List<Dir> parents;
    private final CgroupFs fs;
    private final Duration closeTimeout;
    private final Set<ExecutionCgroup> executions = ConcurrentHashMap.newKeySet();
    /** Names of open execution cgroups (reserved before their directories are made). */
    private final Set<String> names = ConcurrentHashMap.newKeySet();
    private final Set<ForkServerCgroup> forkServers = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private CgroupManager(CgroupSupport support, String description, List<Dir> parents, CgroupFs fs,
                          Duration closeTimeout) {
        this.support = support;
        this.description = description;
        this.parents = parents;
        this.fs = fs;
        this.closeTimeout = closeTimeout;
    }

    /** Detects cgroups on this host and creates the service's parent. Never throws. */
    public static CgroupManager open(CgroupSettings settings) {
        if (!settings.enabled()) {
            return unavailable(CgroupSupport.unavailable("disabled by configuration"), settings, new CgroupFs());
        }
        return open(settings, CgroupSupport.detect(settings.parentCgroup()), new CgroupFs());
    }

    /** With a given detection result (tests: a fake tree and file system). */
    static CgroupManager open(CgroupSettings settings, CgroupSupport support, CgroupFs fs) {
        if (!support.available()) {
            return unavailable(support, settings, fs);
        }
        String name = settings.parentName() != null ? settings.parentName() : "iterpref-" + fs.ownPid();
        if (!PARENT.matcher(name).matches()) {
            return unavailable(CgroupSupport.unavailable("parent name " + name + " is not iterpref-<pid>[-suffix]"),
                    settings, fs);
        }
        boolean explicitParent = settings.parentCgroup() != null && !settings.parentCgroup().isBlank();
        List<Dir> parents = new ArrayList<>();
        try {
            for (Base base : support.bases()) {
                if (support.mode() == Mode.V2) {
                    delegate(fs, base.dir(), !explicitParent);
                }
                removeStale(fs, base.dir(), name);
                Path parent = base.dir().resolve(name);
                parents.add(new Dir(base.purpose(), parent));
                makeParent(fs, support.mode(), parent);
            }
        } catch (IOException | RuntimeException e) {
            String reason = "cannot set up the service's cgroup " + name + " (" + support.mode() + ", "
                    + support.bases().stream().map(b -> b.dir().toString()).toList() + "): " + e.getMessage();
            log.warn(reason);
            removeParents(fs, parents);
            return unavailable(CgroupSupport.unavailable(reason), settings, fs);
        }
        String description = "cgroup " + (support.mode() == Mode.V2 ? "v2" : "v1") + ", service parent "
                + parents.stream().map(d -> d.path().toString()).toList();
        log.info("Sandbox cgroups: {}", description);
        return new CgroupManager(support, description, List.copyOf(parents), fs, settings.closeTimeout());
    }

    private static CgroupManager unavailable(CgroupSupport support, CgroupSettings settings, CgroupFs fs) {
        return new CgroupManager(support, "unavailable: " + support.reason(), List.of(), fs, settings.closeTimeout());
    }

    public boolean available() {
        return !parents.isEmpty();
    }

    /** What is used and where, or why nothing is: for health details and logs. */
    public String description() {
        return description;
    }

    public CgroupSupport support() {
        return support;
    }

    /** The service's parent directories (v2 one, v1 memory then pids); empty when unavailable. */
    public List<Path> parentDirectories() {
        return parents.stream().map(Dir::path).toList();
    }

    /**
     * Creates an execution's cgroup under the service's parent. {@code memoryBytes} bounds all its
     * processes and the tmpfs pages they write together, without swap: the caller must add the
     * harness's own memory and the sizes of the sandbox's tmpfs mounts to what the program may use.
     *
     * @param name unique among the live executions: letters, digits, {@code _ . -}; not {@code fs-<k>}
     * @throws IllegalStateException when cgroups are not {@link #available()} or the manager is closed
     * @throws CgroupException       when the kernel refuses
     */
    public ExecutionCgroup create(String name, long memoryBytes, long maxPids) {
        checkOpen();
        if (!NAME.matcher(name).matches() || RESERVED.matcher(name).matches()) {
            throw new IllegalArgumentException("bad cgroup name: " + name);
        }
        if (!names.add(name)) {
            throw new IllegalStateException("an execution cgroup named " + name + " is still open");
        }
        ExecutionCgroup cgroup;
        try {
            ensureParents();
            cgroup = ExecutionCgroup.create(name, support.mode(), parents, memoryBytes, maxPids, fs, closeTimeout,
                    c -> {
                        executions.remove(c);
                        names.remove(c.name());
                    });
        } catch (RuntimeException e) {
            names.remove(name);
            throw e;
        }
        executions.add(cgroup);
        return cgroup;
    }

    /**
     * Creates {@code fs-<index>} with its {@code server} leaf (bounded by these limits) for one fork
     * server; see {@link ForkServerCgroup} for the layout and how a child moves itself.
     */
    public ForkServerCgroup createForkServer(int index, long serverMemoryBytes, long serverMaxPids) {
        checkOpen();
        if (index < 0) {
            throw new IllegalArgumentException("negative fork server index");
        }
        ensureParents();
        ForkServerCgroup cgroup = ForkServerCgroup.create(index, support.mode(), parents, serverMemoryBytes,
                serverMaxPids, fs, closeTimeout, forkServers::remove);
        forkServers.add(cgroup);
        return cgroup;
    }

    private void checkOpen() {
        if (!available()) {
            throw new IllegalStateException("cgroups are not available: " + description);
        }
        if (closed) {
            throw new IllegalStateException("the cgroup manager is closed");
        }
    }

    /** Recreates the parent if someone (a stale-parent sweep of another service) removed it. */
    private void ensureParents() {
        for (Dir d : parents) {
            if (!fs.exists(d.path())) {
                try {
                    makeParent(fs, support.mode(), d.path());
                } catch (IOException e) {
                    throw new CgroupException("cannot recreate " + d.path() + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** Closes every execution and fork server cgroup still open, then removes the parent. Never throws. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List.copyOf(executions).forEach(ExecutionCgroup::close);
        List.copyOf(forkServers).forEach(ForkServerCgroup::close);
        removeParents(fs, parents);
    }

    private static void removeParents(CgroupFs fs, List<Dir> parents) {
        for (Dir d : parents) {
            try {
                removeTree(fs, d.path());
            } catch (NoSuchFileException e) {
                // gone
            } catch (IOException e) {
                log.warn("cannot remove cgroup {}: {}", d.path(), e.getMessage());
            }
        }
    }

    private static void makeParent(CgroupFs fs, Mode mode, Path parent) throws IOException {
        if (!fs.exists(parent)) {
            fs.mkdir(parent);
        }
        if (mode == Mode.V2) {
            enableControllers(fs, parent);
        }
    }

    /** v2: {@code +memory +pids} in the subtree_control of a cgroup (which must hold no processes unless it is the root). */
    static void enableControllers(CgroupFs fs, Path dir) throws IOException {
        if (!controllersEnabled(fs, dir)) {
            fs.write(dir.resolve("cgroup.subtree_control"), "+memory +pids");
        }
    }

    private static boolean controllersEnabled(CgroupFs fs, Path dir) throws IOException {
        Set<String> enabled = new HashSet<>(Arrays.asList(fs.read(dir.resolve("cgroup.subtree_control")).strip()
                .split("\\s+")));
        return enabled.contains("memory") && enabled.contains("pids");
    }

    /**
     * v2: makes {@code dir} hand memory and pids to its children, moving its processes into
     * {@link #LEAF} first when it holds any (and that is allowed). New processes may be forked into
     * {@code dir} while moving; a few rounds.
     */
    private static void delegate(CgroupFs fs, Path dir, boolean mayMoveProcesses) throws IOException {
        if (controllersEnabled(fs, dir)) {
            return;
        }
        IOException last = null;
        for (int round = 0; round < 10; round++) {
            try {
                fs.write(dir.resolve("cgroup.subtree_control"), "+memory +pids");
                return;
            } catch (IOException e) {
                last = e;
            }
            if (!mayMoveProcesses) {
                throw new IOException("cannot enable memory and pids in " + dir.resolve("cgroup.subtree_control")
                        + " (a configured parent cgroup must hold no processes): " + last.getMessage(), last);
            }
            Path leaf = dir.resolve(LEAF);
            if (!fs.exists(leaf)) {
                fs.mkdir(leaf);
                log.info("moving the processes of {} into {} (cgroup v2: no processes in a cgroup that delegates "
                        + "controllers)", dir, leaf);
            }
            for (String line : fs.read(dir.resolve("cgroup.procs")).split("\n")) {
                if (!line.isBlank() && !line.strip().equals("0")) {
                    try {
                        fs.write(leaf.resolve("cgroup.procs"), line.strip());
                    } catch (IOException e) {
                        log.debug("cannot move {} into {}: {}", line.strip(), leaf, e.getMessage());
                    }
                }
            }
        }
        throw new IOException("cannot enable memory and pids in " + dir.resolve("cgroup.subtree_control") + ": "
                + (last == null ? "" : last.getMessage()), last);
    }

    /** Removes parents of dead services (by the pid in the name) when they hold no processes. */
    private static void removeStale(CgroupFs fs, Path base, String ownName) {
        List<Path> children;
        try {
            children = fs.subdirectories(base);
        } catch (IOException e) {
            log.debug("cannot list {}: {}", base, e.getMessage());
            return;
        }
        for (Path child : children) {
            String name = child.getFileName().toString();
            Matcher m = PARENT.matcher(name);
            if (!m.matches() || name.equals(ownName)) {
                continue;
            }
            long pid;
            try {
                pid = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                continue;
            }
            if (fs.alive(pid)) {
                continue;
            }
            try {
                removeTree(fs, child);
                log.info("removed stale cgroup {}", child);
            } catch (IOException e) {
                log.info("stale cgroup {} is not empty, left alone: {}", child, e.getMessage());
            }
        }
    }

    /** rmdir bottom-up; fails (leaving what it could not remove) on a cgroup holding processes. */
    static void removeTree(CgroupFs fs, Path dir) throws IOException {
        for (Path child : fs.subdirectories(dir)) {
            removeTree(fs, child);
        }
        fs.rmdir(dir);
    }
}
