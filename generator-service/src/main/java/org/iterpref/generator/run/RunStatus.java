package org.iterpref.generator.run;

/** QUEUED until a trajectory starts; COMPLETED when every trajectory ended; CANCELLED on request. */
public enum RunStatus {
    QUEUED,
    RUNNING,
    COMPLETED,
    CANCELLED
}
