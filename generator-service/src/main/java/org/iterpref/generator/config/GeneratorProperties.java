package org.iterpref.generator.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Operator settings of the generator. Defaults live in {@code application.yml}.
 *
 * @param instanceId     name of this instance in job leases; blank means host name and pid
 * @param workers        trajectories this instance runs at once
 * @param leaseSeconds   how long a claimed job stays this instance's without a heartbeat
 * @param maxJobAttempts attempts of a trajectory whose model server or executor is unreachable
 * @param releaseJobsOnStop give claimed jobs back on a graceful stop (false: leave them to lease
 *                          expiry, as after a crash)
 */
@Validated
@ConfigurationProperties("iterpref.generator")
public record GeneratorProperties(
        String instanceId,
        @Min(0) @Max(256) int workers,
        @Min(2) int leaseSeconds,
        @Min(10) int pollIntervalMs,
        @Min(1) int maxJobAttempts,
        boolean releaseJobsOnStop,
        @Min(0) long retryBackoffMs,
        @Min(1024) long maxImportBytes,
        @Min(1024) long maxRequestBytes,
        @Min(1) int maxTasksPerPage,
        @jakarta.validation.constraints.DecimalMin("0.0") @jakarta.validation.constraints.DecimalMax("1.0")
        double maxRegionShare,
        @Valid @NotNull EmbeddedPostgres embeddedPostgres,
        @Valid @NotNull Executor executor) {

    /**
     * A real PostgreSQL server started in-process from Maven Central binaries (profile local).
     *
     * @param dataDirectory persistent data directory; blank means a temporary one
     * @param port          0 for any free port
     */
    public record EmbeddedPostgres(boolean enabled, String dataDirectory, @Min(0) int port) {
    }

    /**
     * How to reach the executor-service.
     *
     * @param checkWallTimeMs per-test time limit of quick pass/fail checks (bug injection's mutant checks)
     */
    public record Executor(@NotBlank String baseUrl, @Min(100) int connectTimeoutMs, @Min(1000) int requestTimeoutMs,
                           @Min(1) int maxAttempts, @Min(100) int checkWallTimeMs) {
    }
}
