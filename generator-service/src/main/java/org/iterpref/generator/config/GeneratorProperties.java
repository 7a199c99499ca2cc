package org.iterpref.generator.config;

import jakarta.validation.Valid;
import java.util.List;
import java.util.Map;
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
 * @param modelServers   OpenAI-compatible servers a run may name ({@code "source": {"server": NAME}}),
 *                       by name. Their URLs and keys are the operator's: a caller never chooses
 *                       which environment variable or file the service reads, nor where it sends a key
 * @param allowedBaseUrls patterns of base URLs a caller may give directly ({@code source.baseUrl},
 *                       with an optional inline {@code apiKey}); {@code *} matches within one
 *                       URL segment. Empty (the default): callers can only name model servers
 * @param maxConcurrentExports pair exports streamed at once by this instance (each holds a database
 *                       connection and a reader thread); more get 503 with Retry-After
 * @param promptTemplatesDir directory of prompt templates a run may name (besides the bundled
 *                       {@code first-attempt} and {@code refine}); blank: only the bundled ones
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
        @Min(1) @Max(1000) int maxConcurrentExports,
        @jakarta.validation.constraints.DecimalMin("0.0") @jakarta.validation.constraints.DecimalMax("1.0")
        double maxRegionShare,
        @Valid @NotNull EmbeddedPostgres embeddedPostgres,
        @Valid @NotNull Executor executor,
        Map<String, @Valid ModelServer> modelServers,
        List<String> allowedBaseUrls,
        String promptTemplatesDir) {

    public GeneratorProperties {
        modelServers = modelServers == null ? Map.of() : Map.copyOf(modelServers);
        allowedBaseUrls = allowedBaseUrls == null ? List.of() : List.copyOf(allowedBaseUrls);
        promptTemplatesDir = promptTemplatesDir == null || promptTemplatesDir.isBlank() ? null : promptTemplatesDir.strip();
    }

    /**
     * An OpenAI-compatible server configured by the operator. The API key comes from the
     * environment variable {@code apiKeyEnv} or the file {@code apiKeyFile} (a mounted secret; wins
     * when both are set); neither: no {@code Authorization} header.
     *
     * @param models     model ids runs may ask for; empty: any
     * @param timeoutMs  per-request timeout, and the most a run may ask for (null: 60 s)
     * @param maxRetries retries after the first request, and the most a run may ask for (null: 3)
     * @param contextLength the models' context in tokens (prompt plus completion), used when the
     *                   server does not report it ({@code context_length} or {@code max_model_len}
     *                   of {@code GET /v1/models}); null: only what the server reports
     * @param bytesPerToken how many UTF-8 bytes of prompt the models' tokenizer packs into a token at
     *                   the least, to estimate prompt sizes before the server has reported any
     *                   (null: 2.0, safe for most tokenizers on code and English)
     */
    public record ModelServer(@NotBlank String baseUrl, String apiKeyEnv, String apiKeyFile, List<String> models,
                              @Min(1) Integer timeoutMs, @Min(0) Integer maxRetries, @Min(16) Integer contextLength,
                              @jakarta.validation.constraints.DecimalMin("0.5") Double bytesPerToken) {

        public ModelServer {
            models = models == null ? List.of() : List.copyOf(models);
        }
    }

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
     * @param maxRequestBytes  the largest body {@code POST /v1/executions[/batch]} relays (the executor's own
     *                         {@code iterpref.executor.max-request-bytes}); larger: 413 here
     * @param maxResponseBytes the largest executor answer relayed; larger: 502
     */
    public record Executor(@NotBlank String baseUrl, @Min(100) int connectTimeoutMs, @Min(1000) int requestTimeoutMs,
                           @Min(1) int maxAttempts, @Min(100) int checkWallTimeMs, @Min(1024) long maxRequestBytes,
                           @Min(1024) long maxResponseBytes) {
    }
}
