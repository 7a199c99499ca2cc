package org.iterpref.generator.run;

/** The {@code Idempotency-Key} of an earlier run, sent with a different request (422). */
public class IdempotencyKeyReusedException extends RuntimeException {

    public IdempotencyKeyReusedException() {
        super("This Idempotency-Key was already used with a different request; use a new key for a new run.");
    }
}
