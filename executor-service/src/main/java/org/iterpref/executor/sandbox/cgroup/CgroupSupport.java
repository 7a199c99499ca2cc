package org.iterpref.executor.sandbox.cgroup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which cgroup interface the service can use to bound an execution's memory and process count,
 * and where. Detection only reads; {@link CgroupManager} then creates the service's parent and may
 * still find the interface unusable.
 *
 * <ul>
 *   <li><b>v2</b> when a cgroup2 mount (from {@code /proc/self/mountinfo}) is read-write and the
 *       service's cgroup there (the {@code 0::/path} line of {@code /proc/self/cgroup}, or the
 *       configured parent cgroup) exists, is writable and has both {@code memory} and {@code pids}
 *       in its {@code cgroup.controllers} (i.e. its parent delegated them). A hybrid host's
 *       {@code /sys/fs/cgroup/unified} with no controllers is not enough.</li>
 *   <li><b>v1</b> when both the {@code memory} and the {@code pids} hierarchies are mounted
 *       read-write and the service's cgroup in each is a writable directory.</li>
 *   <li>otherwise <b>unavailable</b>, with the reasons in {@link #reason()}.</li>
 * </ul>
 * The service's parent goes <em>under</em> its own cgroup, never under its cgroup's parent: that
 * one is not the service's to write (a systemd slice, a pod's cgroup), and with a cgroup namespace
 * (containers) it is not even visible. v2's no-internal-process rule is dealt with by
 * {@link CgroupManager} (it moves the service's processes into a leaf first).
 *
 * @param mode   which interface
 * @param bases  per hierarchy, the directory under which the service's parent is created: one
 *               ({@code unified}) for v2, two ({@code memory}, {@code pids}) for v1, none when unavailable
 * @param reason why v2 (and v1) were not usable; empty when v2 is
 */
public record CgroupSupport(Mode mode, List<Base> bases, String reason) {

    public enum Mode { V2, V1, UNAVAILABLE }

    /**
     * @param purpose {@code unified}, {@code memory} or {@code pids}
     * @param dir     the cgroup directory (the service's own cgroup, or the configured parent)
     * @param cgroupPath that directory's path within its hierarchy ({@code /} is the hierarchy's root)
     */
    public record Base(String purpose, Path dir, String cgroupPath) {
    }

    public CgroupSupport {
        bases = List.copyOf(bases);
    }

    public boolean available() {
        return mode != Mode.UNAVAILABLE;
    }

    static CgroupSupport unavailable(String reason) {
        return new CgroupSupport(Mode.UNAVAILABLE, List.of(), reason);
    }

    /** This process, the real file system; the service's own cgroup. */
    public static CgroupSupport detect() {
        return detect(null);
    }

    /** @param parentCgroup a cgroup path to use instead of the service's own; null or blank for its own */
    public static CgroupSupport detect(String parentCgroup) {
        return detect(Path.of("/proc/self/mountinfo"), Path.of("/proc/self/cgroup"), Path.of("/"), parentCgroup,
                new CgroupFs());
    }

    /** @param fsRoot prefixed to every mount point (tests: a fake tree under a temp dir; otherwise {@code /}) */
    static CgroupSupport detect(Path mountinfo, Path procCgroup, Path fsRoot, String parentCgroup, CgroupFs fs) {
        List<Mount> mounts;
        List<String[]> memberships;
        try {
            mounts = parseMountinfo(fs.read(mountinfo));
            memberships = fs.read(procCgroup).lines().filter(l -> !l.isBlank()).map(l -> l.split(":", 3))
                    .filter(f -> f.length == 3).toList();
        } catch (IOException e) {
            return unavailable("cannot read " + mountinfo + " or " + procCgroup + ": " + e.getMessage());
        }
        String override = parentCgroup == null || parentCgroup.isBlank() ? null : parentCgroup.strip();
        if (override != null && !override.startsWith("/")) {
            return unavailable("the parent cgroup must be an absolute cgroup path, not " + override);
        }
        List<String> reasons = new ArrayList<>();
        // v2
        Optional<String> unifiedPath = memberships.stream().filter(f -> f[0].equals("0") && f[1].isEmpty())
                .map(f -> f[2]).findFirst();
        List<Mount> cgroup2 = mounts.stream().filter(m -> m.fsType.equals("cgroup2")).toList();
        if (cgroup2.isEmpty()) {
            reasons.add("v2: no cgroup2 mount");
        } else if (unifiedPath.isEmpty() && override == null) {
            reasons.add("v2: no 0:: line in " + procCgroup);
        } else {
            String path = override != null ? override : unifiedPath.get();
            for (Mount m : cgroup2) {
                Result r = base(m, "unified", path, fsRoot, fs, Set.of("memory", "pids"));
                if (r.base != null) {
                    return new CgroupSupport(Mode.V2, List.of(r.base), "");
                }
                reasons.add("v2: " + r.problem);
            }
        }
        // v1
        List<Base> v1 = new ArrayList<>();
        for (String controller : List.of("memory", "pids")) {
            Optional<Mount> mount = mounts.stream()
                    .filter(m -> m.fsType.equals("cgroup") && m.superOptions.contains(controller)).findFirst();
            Optional<String> own = memberships.stream()
                    .filter(f -> Arrays.asList(f[1].split(",")).contains(controller)).map(f -> f[2]).findFirst();
            if (mount.isEmpty()) {
                reasons.add("v1: no " + controller + " hierarchy mounted");
            } else if (own.isEmpty() && override == null) {
                reasons.add("v1: no " + controller + " line in " + procCgroup);
            } else {
                Result r = base(mount.get(), controller, override != null ? override : own.get(), fsRoot, fs, Set.of());
                if (r.base != null) {
                    v1.add(r.base);
                } else {
                    reasons.add("v1: " + r.problem);
                }
            }
        }
        if (v1.size() == 2) {
            return new CgroupSupport(Mode.V1, v1, String.join("; ", reasons));
        }
        return unavailable(String.join("; ", reasons));
    }

    private record Result(Base base, String problem) {
    }

    private static Result base(Mount m, String purpose, String cgroupPath, Path fsRoot, CgroupFs fs,
                               Set<String> controllers) {
        if (m.readOnly) {
            return new Result(null, m.mountPoint + " is mounted read-only");
        }
        // the mount shows the hierarchy from m.root down; the cgroup must lie below it
        String relative;
        if (m.root.equals("/")) {
            relative = cgroupPath;
        } else if (cgroupPath.equals(m.root) || cgroupPath.startsWith(m.root + "/")) {
            relative = cgroupPath.substring(m.root.length());
        } else {
            return new Result(null, "cgroup " + cgroupPath + " is outside the part " + m.root + " mounted at "
                    + m.mountPoint);
        }
        if (relative.contains("/../") || relative.endsWith("/..")) {
            return new Result(null, "cgroup " + cgroupPath + " is not below the mount at " + m.mountPoint);
        }
        Path dir = fsRoot.resolve(m.mountPoint.substring(1));
        for (String part : relative.split("/")) {
            if (!part.isEmpty()) {
                dir = dir.resolve(part);
            }
        }
        if (!fs.exists(dir.resolve("cgroup.procs"))) {
            return new Result(null, dir + " is not a cgroup directory");
        }
        if (!fs.writable(dir)) {
            return new Result(null, dir + " is not writable");
        }
        if (!controllers.isEmpty()) {
            try {
                Set<String> available = new HashSet<>(
                        Arrays.asList(fs.read(dir.resolve("cgroup.controllers")).strip().split("\\s+")));
                if (!available.containsAll(controllers)) {
                    return new Result(null, dir + " offers controllers [" + String.join(" ", available).strip()
                            + "], not memory and pids");
                }
            } catch (IOException e) {
                return new Result(null, "cannot read " + dir.resolve("cgroup.controllers") + ": " + e.getMessage());
            }
        }
        return new Result(new Base(purpose, dir, cgroupPath), null);
    }

    record Mount(String root, String mountPoint, boolean readOnly, String fsType, Set<String> superOptions) {
    }

    /** proc(5): {@code id parent major:minor root mountpoint options [optional...] - fstype source superoptions}. */
    static List<Mount> parseMountinfo(String text) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : text.lines().toList()) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] left = line.substring(0, dash).split(" ");
            String[] right = line.substring(dash + 3).split(" ");
            if (left.length < 6 || right.length < 3) {
                continue;
            }
            boolean ro = Arrays.asList(left[5].split(",")).contains("ro");
            mounts.add(new Mount(unescape(left[3]), unescape(left[4]), ro, right[0],
                    new HashSet<>(Arrays.asList(right[2].split(",")))));
        }
        return mounts;
    }

    /** mountinfo escapes space, tab, newline and backslash as {@code \ooo}. */
    private static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
