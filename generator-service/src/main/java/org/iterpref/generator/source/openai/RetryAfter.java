package org.iterpref.generator.source.openai;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.Optional;

/**
 * Reads how long a server asks to wait: {@code retry-after-ms} (milliseconds, sent by OpenAI) or
 * {@code Retry-After} in seconds (whole or decimal). The HTTP-date form is ignored (the computed
 * backoff applies then).
 */
final class RetryAfter {

    private RetryAfter() {
    }

    static Optional<Duration> parse(HttpHeaders headers) {
        Optional<Duration> millis = headers.firstValue("retry-after-ms").flatMap(v -> number(v, 1));
        return millis.isPresent() ? millis : headers.firstValue("retry-after").flatMap(v -> number(v, 1000));
    }

    private static Optional<Duration> number(String value, long millisPerUnit) {
        try {
            double amount = Double.parseDouble(value.strip());
            if (Double.isNaN(amount) || Double.isInfinite(amount) || amount < 0) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofMillis((long) Math.min(amount * millisPerUnit, Long.MAX_VALUE / 2.0)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
