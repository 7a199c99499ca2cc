package org.iterpref.executor.sandbox.cgroup;

import java.nio.file.Path;

/**
 * A host cgroup directory to bind-mount into a sandbox.
 *
 * @param hostDir     the cgroup directory on the host (under a cgroupfs mount)
 * @param purpose     {@code memory} or {@code pids} (cgroup v1 hierarchies) or {@code unified} (cgroup v2)
 * @param sandboxPath a suggested mount point inside the sandbox: {@code /sys/fs/cgroup/memory},
 *                    {@code /sys/fs/cgroup/pids} (v1) or {@code /sys/fs/cgroup} (v2), where tools
 *                    that read their own limits look for them
 */
public record CgroupBind(Path hostDir, String purpose, String sandboxPath) {

    /** Whether this directory holds the memory counters (v1 memory, or v2 unified). */
    public boolean holdsMemory() {
        return !purpose.equals("pids");
    }
}
