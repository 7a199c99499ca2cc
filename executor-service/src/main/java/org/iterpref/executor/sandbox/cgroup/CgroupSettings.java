package org.iterpref.executor.sandbox.cgroup;

import java.time.Duration;

/**
 * How the service uses cgroups.
 *
 * @param enabled      false: never touch cgroups ({@link CgroupManager#available()} is false)
 * @param parentCgroup the cgroup (a path within the hierarchy, as in {@code /proc/self/cgroup}, e.g.
 *                     {@code /iterpref}) under which the service creates its own parent; null or blank:
 *                     the service's own cgroup. With an explicit one the service is never moved (v2: it
 *                     must hold no processes, so that its {@code cgroup.subtree_control} can enable memory and pids)
 * @param parentName   name of the service's parent cgroup; null: {@code iterpref-<pid>}. Must start with
 *                     {@code iterpref-<digits>} (the pid of the owner), which is how stale parents are recognised
 * @param closeTimeout how long {@code close()} waits for killed processes to leave a cgroup before giving up on it
 */
public record CgroupSettings(boolean enabled, String parentCgroup, String parentName, Duration closeTimeout) {

    public CgroupSettings {
        closeTimeout = closeTimeout == null ? Duration.ofSeconds(5) : closeTimeout;
    }

    public static CgroupSettings defaults() {
        return new CgroupSettings(true, null, null, Duration.ofSeconds(5));
    }
}
