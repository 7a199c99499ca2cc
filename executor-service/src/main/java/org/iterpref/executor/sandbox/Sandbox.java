package org.iterpref.executor.sandbox;

/**
 * Runs a language runtime's harness on a spec in isolation from the host and from every
 * other execution. Implementations must kill everything the program started by the time
 * {@link #run} returns, and must never let the program reach the network.
 */
public interface Sandbox {

    /** Name used in metrics and results: {@code bubblewrap}, {@code docker}, {@code unsandboxed}. */
    String name();

    /**
     * Whether every process the harness sees is its own: it may then kill all of them after
     * each test. False only for the unsandboxed development runner.
     */
    default boolean ownPidNamespace() {
        return true;
    }

    /**
     * Whether the sandbox caps the number of processes itself (a pids cgroup). When false the
     * harness sets RLIMIT_NPROC, which the kernel counts per uid.
     */
    default boolean capsProcessesItself() {
        return false;
    }

    /** Runs the harness; throws {@link SandboxException} when the sandbox itself fails. */
    SandboxOutput run(SandboxInvocation invocation);
}
