/**
 * Per-execution cgroups for the sandboxes: each execution's processes and the tmpfs pages they
 * write are bounded together in memory (no swap), and its process count is bounded, on cgroup v2
 * or on v1's memory and pids hierarchies.
 *
 * <p>Entry point: {@link org.iterpref.executor.sandbox.cgroup.CgroupManager#open}. Layout, the v2
 * no-internal-process rule and stale parents: {@link org.iterpref.executor.sandbox.cgroup.CgroupManager};
 * one execution: {@link org.iterpref.executor.sandbox.cgroup.ExecutionCgroup}; fork servers:
 * {@link org.iterpref.executor.sandbox.cgroup.ForkServerCgroup}; detection:
 * {@link org.iterpref.executor.sandbox.cgroup.CgroupSupport}.
 */
package org.iterpref.executor.sandbox.cgroup;
