package org.iterpref.gateway.key;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A key as {@code GET /admin/keys} shows it: never the key, never its hash. */
public record KeyView(UUID id, String name, String prefix, List<String> scopes, Integer requestsPerMinute,
                      Integer burst, Instant createdAt, Instant revokedAt) {

    static KeyView of(ApiKey key) {
        return new KeyView(key.id(), key.name(), key.prefix(), key.scopes().stream().map(Scope::wireName).toList(),
                key.requestsPerMinute(), key.burst(), key.createdAt(), key.revokedAt());
    }
}
