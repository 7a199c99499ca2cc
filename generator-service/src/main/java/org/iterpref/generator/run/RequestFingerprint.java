package org.iterpref.generator.run;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.springframework.stereotype.Component;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The SHA-256 of a run request in a canonical form (object members sorted by name), so that a
 * retry matches its first try however its JSON was laid out.
 */
@Component
class RequestFingerprint {

    private final JsonMapper canonical;

    RequestFingerprint(JsonMapper json) {
        this.canonical = json.rebuild().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .disable(SerializationFeature.INDENT_OUTPUT).build();
    }

    String sha256(RunRequest request) {
        byte[] bytes = canonical.writeValueAsBytes(canonical.convertValue(request, Object.class));
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
