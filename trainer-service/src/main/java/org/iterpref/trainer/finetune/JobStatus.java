package org.iterpref.trainer.finetune;

import java.util.Locale;

/** A fine-tuning job's status, as OpenAI names them. */
public enum JobStatus {
    /** The pair feed is being read (jobs created with {@code pairs}). */
    VALIDATING_FILES,
    /** Waiting for a worker. */
    QUEUED,
    /** Claimed by a worker under a lease. */
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    /** The API's and the database's spelling. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean finished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    public static JobStatus of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
