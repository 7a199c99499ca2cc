package org.iterpref.trainer.config;

import ai.djl.ndarray.types.DataType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
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
 * @param device where models run: {@code cpu} (default), {@code gpu} or {@code gpu:N}
 * @param dtype weights' compute type: {@code auto} (float32 on CPU, float16 on GPU), {@code float32}
 *     or {@code float16} (DJL 0.36's PyTorch JNI has no bfloat16)
 */
@ConfigurationProperties("iterpref.trainer")
public record TrainerProperties(Map<String, String> models, int maxConcurrentRequests, int maxQueuedRequests,
                                Duration queueTimeout, int threads, long maxRequestBytes, String adminModelRoot,
                                int maxModels, String device, String dtype) {

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
        device = device == null || device.isBlank() ? "cpu" : device.trim().toLowerCase(Locale.ROOT);
        if (!device.matches("cpu|gpu(:\\d+)?")) {
            throw new IllegalArgumentException("iterpref.trainer.device must be cpu, gpu or gpu:N: " + device);
        }
        dtype = dtype == null || dtype.isBlank() ? "auto" : dtype.trim().toLowerCase(Locale.ROOT);
        if (!dtype.matches("auto|float32|float16")) {
            throw new IllegalArgumentException("iterpref.trainer.dtype must be auto, float32 or float16 "
                    + "(bfloat16 is not available in DJL 0.36): " + dtype);
        }
    }

    /** The weights' compute type this configuration resolves to. */
    public DataType computeType() {
        return switch (dtype) {
            case "float16" -> DataType.FLOAT16;
            case "float32" -> DataType.FLOAT32;
            default -> device.startsWith("gpu") ? DataType.FLOAT16
                    : DataType.FLOAT32;
        };
    }
}
