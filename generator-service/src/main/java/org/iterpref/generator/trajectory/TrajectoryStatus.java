package org.iterpref.generator.trajectory;

/**
 * QUEUED → RUNNING → PASSED (an iteration passed every test) | FAILED (maxIterations reached) |
 * ERRORED (gave up: source or executor unavailable too often, or the source cannot work on the
 * task) | CANCELLED (its run was cancelled).
 */
public enum TrajectoryStatus {
    QUEUED,
    RUNNING,
    PASSED,
    FAILED,
    ERRORED,
    CANCELLED;

    public boolean ended() {
        return this != QUEUED && this != RUNNING;
    }
}
