package org.iterpref.generator.execution;

import org.iterpref.generator.web.CappedBody;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.iterpref.generator.config.GeneratorProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.iterpref.web.RequestIdLogging;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * Relays a caller's execution request to the executor, which only the generator may reach. The
 * target is fixed ({@code base-url} plus the executor's own path): nothing from the caller but the
 * body, {@code Content-Type}, {@code Accept} and a sane {@code X-Request-Id} goes upstream, so no
 * credential, host name or hop-by-hop header of the caller's reaches the executor. The executor's
 * answer is read up to {@code max-response-bytes}; its verdicts and its 4xx problems come back as
 * they are, anything else as the generator's own 502, 503 or 504 problem.
 */
public final class ExecutorRelay {

    static final String REQUEST_ID = "X-Request-Id";
    private static final int MAX_ACCEPT_LENGTH = 1024;
    private static final Logger log = LoggerFactory.getLogger(ExecutorRelay.class);

    /** The executor's public endpoints, by their fixed paths. */
    enum Endpoint {
        EXECUTIONS("/v1/executions"),
        BATCH("/v1/executions/batch");

        private final String path;

        Endpoint(String path) {
            this.path = path;
        }
    }

    private final HttpClient http;
    private final String base;
    private final Duration requestTimeout;
    private final long maxResponseBytes;
    private final MeterRegistry meters;

    public ExecutorRelay(GeneratorProperties.Executor settings, MeterRegistry meters) {
        this.base = settings.baseUrl().replaceAll("/+$", "");
        this.requestTimeout = Duration.ofMillis(settings.requestTimeoutMs());
        this.maxResponseBytes = settings.maxResponseBytes();
        this.meters = meters;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofMillis(settings.connectTimeoutMs()))
                .build();
    }

    /** The executor's answer to {@code body}, or a {@link RelayFailedException} when there is none to pass on. */
    CompletableFuture<ResponseEntity<byte[]>> relay(Endpoint endpoint, byte[] body, HttpHeaders caller) {
        HttpRequest request = request(endpoint, body, caller);
        Timer.Sample sample = Timer.start(meters);
        return http.sendAsync(request, CappedBody.bytes(maxResponseBytes))
                .handle(RequestIdLogging.carry((response, error) -> {
                    String outcome = error == null ? Integer.toString(response.statusCode()) : failureKind(error);
                    sample.stop(meters.timer("iterpref.generator.relay.duration",
                            "endpoint", endpoint.name().toLowerCase(), "outcome", outcome));
                    if (error != null) {
                        throw failure(endpoint, error);
                    }
                    return answer(endpoint, response);
                }));
    }

    private HttpRequest request(Endpoint endpoint, byte[] body, HttpHeaders caller) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + endpoint.path))
                .timeout(requestTimeout)
                .header(HttpHeaders.CONTENT_TYPE, Optional.ofNullable(caller.getContentType())
                        .orElse(MediaType.APPLICATION_JSON).toString())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        accept(caller).ifPresent(accept -> request.header(HttpHeaders.ACCEPT, accept));
        // the caller's sane X-Request-Id, or the one RequestIdLogging made for this request
        RequestIdLogging.current().ifPresent(id -> request.header(REQUEST_ID, id));
        return request.build();
    }

    /** The caller's Accept when it is printable ASCII and parses as media types; else none (the executor answers JSON). */
    private static Optional<String> accept(HttpHeaders caller) {
        List<String> values = caller.getOrEmpty(HttpHeaders.ACCEPT);
        String joined = String.join(", ", values);
        if (values.isEmpty() || joined.length() > MAX_ACCEPT_LENGTH || !joined.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(MediaType.toString(MediaType.parseMediaTypes(joined)));
        } catch (InvalidMediaTypeException e) {
            return Optional.empty();
        }
    }

    private static ResponseEntity<byte[]> answer(Endpoint endpoint, HttpResponse<byte[]> response) {
        int status = response.statusCode();
        MediaType type = response.headers().firstValue(HttpHeaders.CONTENT_TYPE).flatMap(ExecutorRelay::mediaType)
                .orElse(null);
        boolean json = type != null && (MediaType.APPLICATION_JSON.isCompatibleWith(type)
                || "json".equals(type.getSubtypeSuffix()));
        if (status == 200 && json) {
            return ResponseEntity.ok().contentType(type).body(response.body());
        }
        HttpStatus refusal = HttpStatus.resolve(status);
        if (refusal != null && refusal.is4xxClientError()) {
            if (!json) {
                throw new RelayFailedException(refusal, "The executor refused the request (" + status + ").");
            }
            ResponseEntity.BodyBuilder passed = ResponseEntity.status(status).contentType(type);
            response.headers().firstValue(HttpHeaders.RETRY_AFTER).filter(s -> s.matches("\\d{1,6}"))
                    .ifPresent(seconds -> passed.header(HttpHeaders.RETRY_AFTER, seconds));
            return passed.body(response.body());
        }
        log.warn("the executor answered {} ({}) at {}", status, type, endpoint.path);
        throw new RelayFailedException(HttpStatus.BAD_GATEWAY, "The executor failed (it answered "
                + status + (status == 200 ? " without JSON" : "") + ").");
    }

    private static Optional<MediaType> mediaType(String value) {
        try {
            return Optional.of(MediaType.parseMediaType(value));
        } catch (InvalidMediaTypeException e) {
            return Optional.empty();
        }
    }

    private RelayFailedException failure(Endpoint endpoint, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        log.warn("relaying to the executor at {}{} failed: {}", base, endpoint.path, cause.toString());
        return switch (failureKind(error)) {
            case "timeout" -> new RelayFailedException(HttpStatus.GATEWAY_TIMEOUT,
                    "The executor did not answer within " + requestTimeout.toMillis() + " ms.");
            case "too-large" -> new RelayFailedException(HttpStatus.BAD_GATEWAY,
                    "The executor's answer is larger than " + maxResponseBytes + " bytes.");
            case "unreachable" -> new RelayFailedException(HttpStatus.SERVICE_UNAVAILABLE,
                    "The executor is unreachable; retry later.");
            default -> new RelayFailedException(HttpStatus.BAD_GATEWAY, "The connection to the executor failed.");
        };
    }

    /** The metric's outcome and the answer's status: the first cause in the chain that says what happened. */
    private static String failureKind(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpConnectTimeoutException || t instanceof ConnectException) {
                return "unreachable";
            }
            if (t instanceof HttpTimeoutException) {
                return "timeout";
            }
            if (t instanceof CappedBody.TooLarge) {
                return "too-large";
            }
        }
        return "broken";
    }
}
