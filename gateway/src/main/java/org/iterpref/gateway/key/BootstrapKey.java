package org.iterpref.gateway.key;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.iterpref.gateway.config.GatewayProperties;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * At start-up, registers the bootstrap admin key from {@code iterpref.gateway.bootstrap-key} or
 * the file {@code iterpref.gateway.bootstrap-key-file} (a mounted secret), if either is set.
 */
@Component
class BootstrapKey implements ApplicationRunner {

    static final int MIN_LENGTH = 32;

    private final GatewayProperties properties;
    private final KeyIssuer issuer;

    BootstrapKey(GatewayProperties properties, KeyIssuer issuer) {
        this.properties = properties;
        this.issuer = issuer;
    }

    @Override
    public void run(ApplicationArguments args) {
        String key = configuredKey();
        if (key.isEmpty()) {
            return;
        }
        if (key.length() < MIN_LENGTH || key.length() > KeySecrets.MAX_KEY_LENGTH
                || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalStateException("the bootstrap key must be " + MIN_LENGTH + " to "
                    + KeySecrets.MAX_KEY_LENGTH + " printable ASCII characters without spaces");
        }
        issuer.registerBootstrap(key);
    }

    private String configuredKey() {
        if (!properties.bootstrapKeyFile().isBlank()) {
            try {
                return Files.readString(Path.of(properties.bootstrapKeyFile()), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the bootstrap key file", e);
            }
        }
        return properties.bootstrapKey().strip();
    }
}
