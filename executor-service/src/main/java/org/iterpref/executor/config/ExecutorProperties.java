package org.iterpref.executor.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Everything an operator can tune. Defaults live in {@code application.yml}.
 *
 * @param backend          sandbox backend: {@code bubblewrap}, {@code docker} or {@code unsandboxed}
 * @param allowUnsandboxed must be true for the {@code unsandboxed} backend (development only)
 * @param workers          concurrent executions; 0 means one per core
 * @param queueCapacity    executions waiting for a worker before requests get 429
 * @param maxRequestBytes  largest request body accepted (413 beyond)
 */
@Validated
@ConfigurationProperties("iterpref.executor")
public record ExecutorProperties(
        @NotNull Backend backend,
        boolean allowUnsandboxed,
        @Min(0) @Max(1024) int workers,
        @Min(1) int queueCapacity,
        @Min(1024) long maxRequestBytes,
        @Valid @NotNull Limits limits,
        @Valid @NotNull Python python,
        @Valid @NotNull Bubblewrap bubblewrap,
        @Valid @NotNull Docker docker) {

    public enum Backend { BUBBLEWRAP, DOCKER, UNSANDBOXED }

    public int effectiveWorkers() {
        return workers > 0 ? workers : Runtime.getRuntime().availableProcessors();
    }

    /**
     * Default and hard maximum of each per-execution limit, and the size caps of a request.
     *
     * @param workdirMb size of the private tmpfs workdir (also the largest file a test may write)
     * @param maxTotalWallTimeMs deadline of a whole execution, whatever its number of tests
     */
    public record Limits(
            @Valid @NotNull LimitValues defaults,
            @Valid @NotNull LimitValues maximums,
            @Min(1) int maxCodeBytes,
            @Min(1) int maxTestBytes,
            @Min(1) int maxTests,
            @Min(1) int maxBatch,
            @Min(1) int workdirMb,
            @Min(1000) int maxTotalWallTimeMs) {
    }

    public record LimitValues(
            @Min(1) int wallTimeMs, @Min(16) int memoryMb, @Min(1) int maxProcesses, @Min(1) int maxOutputBytes) {
    }

    /** The Python runtime: the interpreter whose installed packages the sandbox sees read-only. */
    public record Python(@NotBlank String interpreter) {
    }

    /**
     * @param uidBase    first uid of the pool each concurrent sandbox takes its own uid from (when root)
     * @param uidCount   size of that pool; 0 means twice the workers
     * @param cgroups    when root: a memory and pids cgroup per execution (see sandbox.cgroup)
     * @param forkServer when root: fork each execution from a warm fork server inside a long-lived
     *                   bubblewrap sandbox (fresh namespaces, tmpfs and uid per execution) instead of
     *                   starting a sandbox and an interpreter per execution
     * @param pinCpus    fork servers: each server (its judge and its executions) runs on one core of
     *                   the service's, the next free one in turn, so that an execution's processes,
     *                   which hand work to each other many times per test, stay on one core's caches
     *                   and run queue instead of waking on a busy core while another idles
     */
    public record Bubblewrap(@NotBlank String executable, @Min(1000) int uidBase, @Min(0) int uidCount,
                             boolean forkServer, @DefaultValue("true") boolean cgroups,
                             @DefaultValue("true") boolean pinCpus) {
    }

    /**
     * @param host           Docker endpoint; blank means DOCKER_HOST or the local socket
     * @param image          image with a Python interpreter (built offline by scripts/docker-engine.sh)
     * @param interpreter    interpreter inside the image
     * @param uidBase        first uid of the pool each running container takes its own uid from
     *                       (disjoint from bubblewrap's)
     * @param uidCount       size of that pool; 0 means twice the workers
     * @param connectTimeout bound on connecting to the engine
     * @param callTimeout    bound on every ordinary engine call; the attach and wait streams are
     *                       bounded by the longest execution deadline instead
     */
    public record Docker(String host, @NotBlank String image, @NotBlank String interpreter,
                         @Min(1000) int uidBase, @Min(0) int uidCount,
                         @NotNull Duration connectTimeout, @NotNull Duration callTimeout) {
    }
}
