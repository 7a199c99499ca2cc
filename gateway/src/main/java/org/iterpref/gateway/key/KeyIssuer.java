package org.iterpref.gateway.key;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/** Creates keys: a fresh random secret, stored as its hash, handed back once. */
@Service
public class KeyIssuer {

    private static final Logger log = LoggerFactory.getLogger(KeyIssuer.class);

    private final ApiKeys keys;
    private final KeySecrets secrets;
    private final MeterRegistry meters;

    public KeyIssuer(ApiKeys keys, KeySecrets secrets, MeterRegistry meters) {
        this.keys = keys;
        this.secrets = secrets;
        this.meters = meters;
    }

    public CreatedKey issue(String name, Set<Scope> scopes, Integer requestsPerMinute, Integer burst) {
        String secret = secrets.newKey();
        UUID id = UUID.randomUUID();
        if (!keys.insert(id, name, secrets.hash(secret), secrets.prefix(secret), scopes, requestsPerMinute, burst)) {
            throw new IllegalStateException("a fresh random key collided with a stored one");
        }
        meters.counter("iterpref.gateway.keys.created").increment();
        log.info("API key {} ({}) created with scopes {}", id, name, scopes);
        ApiKey stored = keys.find(id).orElseThrow();
        return new CreatedKey(secret, KeyView.of(stored));
    }

    /**
     * Stores the operator's bootstrap admin key (by hash) unless it is there already, so a
     * revoked bootstrap key stays revoked across restarts.
     */
    public void registerBootstrap(String secret) {
        if (keys.insert(UUID.randomUUID(), "bootstrap", secrets.hash(secret), secrets.prefix(secret),
                Set.of(Scope.ADMIN), null, null)) {
            log.info("bootstrap admin key registered");
        }
    }
}
