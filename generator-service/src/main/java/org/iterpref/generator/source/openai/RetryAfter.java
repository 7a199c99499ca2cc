package org.iterpref.generator.source.openai;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reads how long a server asks to wait: {@code retry-after-ms} (milliseconds, sent by OpenAI), or
 * {@code Retry-After} as delta-seconds (whole or decimal) or as an HTTP date (RFC 9110, e.g.
 * {@code Wed, 21 Oct 2026 07:28:00 GMT}: the time until then, zero when it has passed). The
 * caller caps the wait.
 */
final class RetryAfter {

    private RetryAfter() {
    }

    static Optional<Duration> parse(HttpHeaders headers, Clock clock) {
        Optional<Duration> millis = headers.firstValue("retry-after-ms").flatMap(v -> number(v, 1));
        if (millis.isPresent()) {
            return millis;
        }
        return headers.firstValue("retry-after").flatMap(v -> number(v, 1000).or(() -> date(v, clock)));
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

    private static Optional<Duration> date(String value, Clock clock) {
        try {
            ZonedDateTime at = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration until = Duration.between(clock.instant(), at.toInstant());
            return Optional.of(until.isNegative() ? Duration.ZERO : until);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
