package org.iterpref.gateway.key;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * A stored API key, without its secret: the gateway keeps only the SHA-256 of the key. {@code prefix}
 * is the key's first characters, enough for a person to tell keys apart, far too few to use one.
 * {@code requestsPerMinute} and {@code burst} override the default rate limit when set.
 */
public record ApiKey(UUID id, String name, String prefix, Set<Scope> scopes, Integer requestsPerMinute,
                     Integer burst, Instant createdAt, Instant revokedAt) {

    public boolean allows(Scope required) {
        return scopes.contains(Scope.ADMIN) || scopes.contains(required);
    }
}
