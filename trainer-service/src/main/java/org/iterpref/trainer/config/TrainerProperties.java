package org.iterpref.trainer.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code iterpref.trainer.*}.
 *
 * @param models served model name to its Hugging Face directory: a file-system path, or
 *     {@code classpath:some/dir/} for a model packaged with the service
 * @param maxConcurrentRequests completions computed at once
 * @param maxQueuedRequests completions waiting for a free slot; one more is answered 429
 * @param queueTimeout longest wait in the queue before a 429
 * @param threads PyTorch intra-op threads, 0 for PyTorch's default (applies only if set before
 *     the engine first loads)
 * @param maxRequestBytes largest request body accepted on {@code /v1/*}
 * @param adminModelRoot directory under which {@code POST /v1/models} may register model
 *     directories; unset: registration over the API is turned off
 * @param maxModels most models served at once (configured and registered)
 */
@ConfigurationProperties("iterpref.trainer")
public record TrainerProperties(Map<String, String> models, int maxConcurrentRequests, int maxQueuedRequests,
                                Duration queueTimeout, int threads, long maxRequestBytes, String adminModelRoot,
                                int maxModels) {

    public TrainerProperties {
        models = models == null ? Map.of() : new LinkedHashMap<>(models);
        if (maxConcurrentRequests <= 0) {
            maxConcurrentRequests = 4;
        }
        if (maxQueuedRequests < 0) {
            throw new IllegalArgumentException("iterpref.trainer.max-queued-requests must be >= 0: " + maxQueuedRequests);
        }
        if (queueTimeout == null || queueTimeout.isNegative()) {
            queueTimeout = Duration.ofSeconds(60);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("iterpref.trainer.threads must be >= 0: " + threads);
        }
        if (maxRequestBytes <= 0) {
            maxRequestBytes = 1L << 20;
        }
        if (adminModelRoot != null && adminModelRoot.isBlank()) {
            adminModelRoot = null;
        }
        if (maxModels <= 0) {
            maxModels = 8;
        }
    }
}
