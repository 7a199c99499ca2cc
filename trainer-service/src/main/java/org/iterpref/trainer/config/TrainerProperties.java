package org.iterpref.trainer.config;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code iterpref.trainer.*}.
 *
 * @param models served model name to its Hugging Face directory: a file-system path, or
 *     {@code classpath:some/dir/} for a model packaged with the service
 * @param maxConcurrentRequests completions computed at once; further ones are answered 429
 * @param threads PyTorch intra-op threads, 0 for PyTorch's default (applies only if set before
 *     the engine first loads)
 * @param maxRequestBytes largest request body accepted on {@code /v1/*}
 */
@ConfigurationProperties("iterpref.trainer")
public record TrainerProperties(Map<String, String> models, int maxConcurrentRequests, int threads,
                                long maxRequestBytes) {

    public TrainerProperties {
        models = models == null ? Map.of() : new LinkedHashMap<>(models);
        if (maxConcurrentRequests <= 0) {
            maxConcurrentRequests = 4;
        }
        if (threads < 0) {
            throw new IllegalArgumentException("iterpref.trainer.threads must be >= 0: " + threads);
        }
        if (maxRequestBytes <= 0) {
            maxRequestBytes = 1L << 20;
        }
    }
}
