package org.iterpref.generator.evaluation;

/**
 * QUEUED → RUNNING → COMPLETED (every sample was generated and judged) | ERRORED (some sample could
 * not be generated or judged, e.g. the model server stayed unreachable: its scores are incomplete
 * and a gate fails) | CANCELLED.
 */
public enum EvaluationStatus {
    QUEUED,
    RUNNING,
    COMPLETED,
    ERRORED,
    CANCELLED;

    public boolean ended() {
        return this == COMPLETED || this == ERRORED || this == CANCELLED;
    }
}
