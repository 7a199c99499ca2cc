package org.iterpref.gateway.config;

import java.net.URI;
import java.util.List;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code iterpref.gateway.*}. Upstream URLs come only from here: nothing a client sends picks
 * or changes a route's target.
 */
@Validated
@ConfigurationProperties("iterpref.gateway")
public record GatewayProperties(
        @DefaultValue @Valid Routes routes,
        @DefaultValue("") String bootstrapKey,
        @DefaultValue("") String bootstrapKeyFile,
        @DefaultValue @Valid RateLimit rateLimit,
        @DefaultValue @Valid RequestSize requestSize,
        @DefaultValue EmbeddedPostgres embeddedPostgres) {

    /** Base URLs of the services behind the gateway (not the executor: the generator relays executions to it). */
    public record Routes(
            @DefaultValue("http://127.0.0.1:8082") @NotNull URI generator,
            @DefaultValue("http://127.0.0.1:8083") @NotNull URI trainer) {
    }

    /**
     * Token bucket per key: {@code burst} tokens at most, refilled at {@code requestsPerMinute};
     * a key may override both.
     */
    public record RateLimit(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("600") @Min(1) @Max(1_000_000) int requestsPerMinute,
            @DefaultValue("100") @Min(1) @Max(1_000_000) int burst) {
    }

    /**
     * Request body caps: {@code maxBytes} everywhere but the upload paths (files, imports), which
     * get {@code maxUploadBytes}.
     */
    public record RequestSize(
            @DefaultValue("16777216") @Min(1) long maxBytes,
            @DefaultValue("268435456") @Min(1) long maxUploadBytes,
            @DefaultValue({"/v1/files", "/api/tasks/import", "/api/pairs/import"}) List<String> uploadPaths) {
    }

    public record EmbeddedPostgres(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("") String dataDirectory,
            @DefaultValue("0") int port) {
    }
}
