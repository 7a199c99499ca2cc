package org.iterpref.bench;

import java.util.HashMap;
import java.util.Map;

/**
 * A benchmark's settings as given: program arguments {@code NAME=VALUE} or {@code --NAME=VALUE}
 * (an optional {@code bench.} prefix is dropped), falling back to system properties
 * {@code -Dbench.NAME=VALUE}, then to the caller's default.
 */
final class BenchArgs {

    private final Map<String, String> values = new HashMap<>();

    BenchArgs(String[] args) {
        for (String arg : args) {
            String a = arg.startsWith("--") ? arg.substring(2) : arg;
            a = a.startsWith("bench.") ? a.substring("bench.".length()) : a;
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected NAME=VALUE, got " + arg);
            }
            values.put(a.substring(0, eq), a.substring(eq + 1));
        }
    }

    String string(String name, String fallback) {
        String v = values.get(name);
        if (v == null) {
            v = System.getProperty("bench." + name);
        }
        return v == null ? fallback : v;
    }

    int integer(String name, int fallback) {
        String v = string(name, null);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.strip());
    }
}
