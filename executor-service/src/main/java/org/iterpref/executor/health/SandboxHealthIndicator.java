package org.iterpref.executor.health;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** Readiness: the service is ready only while its sandbox can run {@code print(1)}. */
public final class SandboxHealthIndicator implements HealthIndicator {

    private final SandboxSelfCheck selfCheck;
    private final String backend;

    public SandboxHealthIndicator(SandboxSelfCheck selfCheck, String backend) {
        this.selfCheck = selfCheck;
        this.backend = backend;
    }

    @Override
    public Health health() {
        SandboxSelfCheck.Outcome outcome = selfCheck.current();
        Health.Builder builder = outcome.healthy() ? Health.up() : Health.down();
        return builder.withDetail("backend", backend)
                .withDetail("detail", outcome.detail())
                .withDetail("checkedAt", outcome.checkedAt().toString())
                .withDetail("durationMs", outcome.durationMs())
                .build();
    }
}
