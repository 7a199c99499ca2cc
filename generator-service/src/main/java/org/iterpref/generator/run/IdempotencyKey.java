package org.iterpref.generator.run;

import org.iterpref.common.problem.InvalidRequestException;

/** A client's {@code Idempotency-Key}: 1 to 255 printable ASCII characters. */
public record IdempotencyKey(String value) {

    public static final String HEADER = "Idempotency-Key";
    static final int MAX_LENGTH = 255;

    public IdempotencyKey {
        if (!valid(value)) {
            throw InvalidRequestException.of(HEADER, "must be 1 to " + MAX_LENGTH + " printable ASCII characters");
        }
    }

    /** The key a request sent, or null when it sent none. */
    public static IdempotencyKey ofHeader(String header) {
        return header == null ? null : new IdempotencyKey(header);
    }

    private static boolean valid(String value) {
        return value != null && !value.isEmpty() && value.length() <= MAX_LENGTH
                && value.chars().allMatch(c -> c >= 0x20 && c <= 0x7e);
    }
}
