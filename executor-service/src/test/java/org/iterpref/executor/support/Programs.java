package org.iterpref.executor.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds execution request bodies for tests. */
public final class Programs {

    private Programs() {
    }

    public static Map<String, Object> execution(String code, List<Map<String, Object>> tests) {
        return execution(code, tests, Map.of());
    }

    public static Map<String, Object> execution(String code, List<Map<String, Object>> tests,
                                                Map<String, Object> limits) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("language", "python");
        body.put("code", code);
        body.put("tests", new ArrayList<>(tests));
        if (!limits.isEmpty()) {
            body.put("limits", limits);
        }
        return body;
    }

    public static Map<String, Object> assertTest(String name, String code) {
        return Map.of("name", name, "code", code);
    }

    public static Map<String, Object> ioTest(String name, String stdin, String expected) {
        return Map.of("name", name, "stdin", stdin, "expectedStdout", expected);
    }

    public static Map<String, Object> unittest(String name, String source) {
        return Map.of("name", name, "unittest", source);
    }
}
