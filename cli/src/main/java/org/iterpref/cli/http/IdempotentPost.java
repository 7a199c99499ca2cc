package org.iterpref.cli.http;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;

/**
 * A POST that starts something (a run) and is safe to repeat: it carries a fresh
 * {@code Idempotency-Key}, and is sent again with that same key when the service cannot be reached
 * or a gateway answers 502, 503 or 504, after each of the {@code backoff} pauses in turn; the
 * service answers a repeat with what the first try started. Any other error is final.
 */
public final class IdempotentPost {

    public static final String HEADER = "Idempotency-Key";
    /** Five attempts: the first, then after 0.5, 1, 2 and 4 s. */
    public static final List<Duration> BACKOFF = List.of(Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(2), Duration.ofSeconds(4));

    private final ApiClient client;
    private final List<Duration> backoff;
    private final Consumer<String> notice;

    public IdempotentPost(ApiClient client, List<Duration> backoff, Consumer<String> notice) {
        this.client = client;
        this.backoff = List.copyOf(backoff);
        this.notice = notice;
    }

    public JsonNode send(String path, Object body) throws InterruptedException {
        Map<String, String> key = Map.of(HEADER, UUID.randomUUID().toString());
        for (int attempt = 0; ; attempt++) {
            try {
                return client.post(path, body, key);
            } catch (ApiException e) {
                if (!e.isTransient() || attempt >= backoff.size()) {
                    throw e;
                }
                Duration pause = backoff.get(attempt);
                notice.accept("not started yet (" + e.getMessage() + "); trying again in " + pause.toMillis() + " ms");
                Thread.sleep(pause.toMillis());
            }
        }
    }
}
