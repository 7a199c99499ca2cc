package org.iterpref.reliability;

import java.math.BigInteger;
import java.util.List;
import java.util.Random;

/**
 * Generators of hostile values, drawn from a caller's seeded {@link Random} so a run is replayed
 * exactly from its seed: strings (SQL, path traversal, NUL, lone surrogates, control characters,
 * very long), numbers out of every range, broken JSON texts and raw bytes.
 */
final class HostileInputs {

    static final List<String> NASTY = List.of(
            "' OR '1'='1", "1; DROP TABLE tasks; --", "\" OR 1=1 --", "'); delete from api_keys; --",
            "1 UNION SELECT password FROM pg_shadow", "$$; select pg_sleep(10); $$", "%' and 1=0 union select null --",
            "../../../../etc/passwd", "..\\..\\windows\\win.ini", "/etc/shadow", "....//....//etc/passwd",
            "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "file:///etc/passwd", "http://169.254.169.254/latest/meta-data/",
            "\u0000", "a\u0000b", "\ud800", "\udfff", "x\ud83dy", "\ufeff", "\u202e\u0041", "\u0007\u001b[31m",
            "${jndi:ldap://127.0.0.1:1/a}", "#{7*7}", "{{7*7}}", "<script>alert(1)</script>", "\r\nX-Injected: 1",
            "", " ", "null", "NaN", "-Infinity", "1e309", "-0", "true", "[]", "{}", "💥".repeat(100));

    static final List<String> BROKEN_JSON = List.of(
            "{", "}", "[", "{\"a\":", "{\"a\" 1}", "{'a': 1}", "{\"a\":1,}", "[1,2,,3]", "nul", "tru", "{\"a\":01}",
            "{\"a\":1}{\"b\":2}", "\"unterminated", "{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}", "{\"\\ud800\":1}",
            "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":1e999999999}", "{\"a\":-}", "/* c */ {}", "{\"a\":1} // c",
            "\u0000", "{\"a\":\"\u0000\"}", "\ufeff{}", "{\"__proto__\":{\"admin\":true}}", "", " ");

    private static final List<byte[]> INVALID_UTF8 = List.of(new byte[] {(byte) 0xc3, 0x28},
            new byte[] {(byte) 0xff, (byte) 0xfe}, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
            new byte[] {(byte) 0xc0, (byte) 0xae}, new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
            new byte[] {0});
    private static final List<String> NUMBERS = List.of("99999999999999999999999999999999",
            "-99999999999999999999999999999999", "1e309", "-1e309", "2147483648", "-2147483649",
            "9223372036854775808", "-9223372036854775809", "0.0000001e-400", "-1", "0", "1.5", "4.9e-324",
            "1" + "0".repeat(5_000));

    private HostileInputs() {
    }

    /** A hostile string: a known nasty one, random UTF-16 (lone surrogates included), controls, or very long. */
    static String string(Random random) {
        return switch (random.nextInt(6)) {
            case 0, 1 -> NASTY.get(random.nextInt(NASTY.size()));
            case 2 -> chars(random, 0, 40, 0x0000, 0xffff);
            case 3 -> chars(random, 1, 10, 0x0000, 0x001f);
            case 4 -> random.nextBoolean() ? chars(random, 1, 4, 0xd800, 0xdfff)
                    : chars(random, 5_000, 70_000, 0x20, 0x7e);
            default -> NASTY.get(random.nextInt(NASTY.size())).repeat(2_000);
        };
    }

    /** A number out of some range: past int, long or double, tiny, negative, or thousands of digits. */
    static String number(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> NUMBERS.get(random.nextInt(NUMBERS.size()));
            case 1 -> new BigInteger(1 + random.nextInt(133), random).multiply(BigInteger.valueOf(random.nextBoolean()
                    ? 1 : -1)).toString();
            default -> Double.toString(Double.longBitsToDouble(random.nextLong()));
        };
    }

    /** Bytes that are no UTF-8 (overlong, surrogates, past U+10FFFF, NUL) or random. */
    static byte[] bytes(Random random) {
        if (random.nextBoolean()) {
            return INVALID_UTF8.get(random.nextInt(INVALID_UTF8.size()));
        }
        byte[] bytes = new byte[1 + random.nextInt(256)];
        random.nextBytes(bytes);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\r' || bytes[i] == '\n') { // they would end the request line or header, not be in it
                bytes[i] = (byte) 0xff;
            }
        }
        return bytes;
    }

    private static String chars(Random random, int min, int max, int from, int to) {
        StringBuilder out = new StringBuilder();
        int length = min + random.nextInt(max - min + 1);
        for (int i = 0; i < length; i++) {
            out.append((char) (from + random.nextInt(to - from + 1)));
        }
        return out.toString();
    }

    static String brokenJson(Random random) {
        return BROKEN_JSON.get(random.nextInt(BROKEN_JSON.size()));
    }

    /** JSON nested {@code depth} levels deep (arrays or objects). */
    static String deep(Random random, int depth) {
        boolean arrays = random.nextBoolean();
        return (arrays ? "[" : "{\"a\":").repeat(depth) + "1" + (arrays ? "]" : "}").repeat(depth);
    }
}
