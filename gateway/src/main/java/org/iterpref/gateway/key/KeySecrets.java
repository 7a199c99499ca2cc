package org.iterpref.gateway.key;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import org.springframework.stereotype.Component;

/**
 * New keys and their hashes. A key carries 256 random bits, so a plain SHA-256 is as strong as a
 * slow password hash would be, and it lets the gateway look a key up by its hash in one index probe.
 */
@Component
public class KeySecrets {

    static final String KEY_MARK = "ipk_";
    static final int PREFIX_LENGTH = KEY_MARK.length() + 6;
    /** Longer presented credentials are refused unhashed. */
    public static final int MAX_KEY_LENGTH = 256;

    private final SecureRandom random = new SecureRandom();

    public String newKey() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return KEY_MARK + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public String hash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    public String prefix(String key) {
        return key.substring(0, Math.min(PREFIX_LENGTH, key.length()));
    }
}
