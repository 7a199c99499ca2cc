package org.iterpref.gateway.auth;

import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** The key a request presents: {@code Authorization: Bearer KEY} or {@code X-API-Key: KEY}. */
final class Credentials {

    static final String API_KEY_HEADER = "X-API-Key";

    private Credentials() {
    }

    /** The presented keys, one per header that carries one; more than one distinct key is refused by the caller. */
    static List<String> presented(HttpServletRequest request) {
        List<String> keys = new ArrayList<>();
        for (String value : Collections.list(request.getHeaders("Authorization"))) {
            String trimmed = value.strip();
            keys.add(trimmed.toLowerCase(Locale.ROOT).startsWith("bearer ") ? trimmed.substring(7).strip() : "");
        }
        for (String value : Collections.list(request.getHeaders(API_KEY_HEADER))) {
            keys.add(value.strip());
        }
        return keys;
    }
}
