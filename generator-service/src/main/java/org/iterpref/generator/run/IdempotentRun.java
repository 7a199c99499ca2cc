package org.iterpref.generator.run;

import java.util.UUID;

/** The run an Idempotency-Key created, and the fingerprint of the request that created it. */
public record IdempotentRun(UUID runId, String requestSha256) {
}
