package org.iterpref.gateway.key;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a key may do. {@code admin} may do everything. */
public enum Scope {
    READ, SUBMIT, TRAIN, ADMIN;

    /** The name as clients and the database spell it: {@code read}, {@code submit}, ... */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Scope> fromWireName(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName().equals(name)).findFirst();
    }
}
