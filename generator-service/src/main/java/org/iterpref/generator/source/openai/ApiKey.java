package org.iterpref.generator.source.openai;

import java.util.Objects;

/**
 * A bearer token for the model server. {@link #toString()} never shows the value, so the key
 * cannot leak into logs or exception messages by accident.
 */
public final class ApiKey {

    private final String value;

    public ApiKey(String value) {
        Objects.requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("an API key cannot be blank");
        }
        this.value = value;
    }

    /** The secret itself: only for the {@code Authorization} header. */
    String value() {
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ApiKey key && key.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "ApiKey[redacted]";
    }
}
