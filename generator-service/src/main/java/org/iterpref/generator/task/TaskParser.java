package org.iterpref.generator.task;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.iterpref.common.execution.TestCase;
import tools.jackson.databind.JsonNode;

/**
 * Reads one task from a JSON object in one of the import formats. Throws
 * {@link IllegalArgumentException} naming the missing or malformed field.
 */
public final class TaskParser {

    /** Which BigCodeBench prompt a model gets: the natural-language instruction or the code stub. */
    public enum BigCodeBenchPrompt { INSTRUCT, COMPLETE }

    private final BigCodeBenchPrompt bigCodeBenchPrompt;

    public TaskParser(BigCodeBenchPrompt bigCodeBenchPrompt) {
        this.bigCodeBenchPrompt = bigCodeBenchPrompt;
    }

    public Task parse(JsonNode node, TaskFormat format, String set) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        return switch (format) {
            case HUMANEVAL -> humanEval(node, set);
            case MBPP -> mbpp(node, set);
            case BIGCODEBENCH -> bigCodeBench(node, set);
            case ITERPREF -> own(node, set);
        };
    }

    private Task humanEval(JsonNode n, String set) {
        String prompt = text(n, "prompt");
        String entryPoint = text(n, "entry_point");
        String test = text(n, "test") + "\n\ncheck(" + entryPoint + ")\n";
        return task(set, text(n, "task_id"), TaskFormat.HUMANEVAL, prompt, entryPoint,
                prompt + text(n, "canonical_solution"), List.of(TestCase.assertion("check", test)), Map.of());
    }

    private Task mbpp(JsonNode n, String set) {
        List<String> asserts = strings(n, "test_list");
        if (asserts.isEmpty()) {
            throw new IllegalArgumentException("test_list: at least one assert is required");
        }
        String setup = optionalText(n, "test_setup_code");
        List<TestCase> tests = new ArrayList<>();
        for (int i = 0; i < asserts.size(); i++) {
            String code = setup == null || setup.isBlank() ? asserts.get(i) : setup + "\n" + asserts.get(i);
            tests.add(TestCase.assertion("test_" + (i + 1), code));
        }
        String prompt = text(n, "text") + "\nYour code should pass these tests:\n" + String.join("\n", asserts) + "\n";
        return task(set, idText(n, "task_id"), TaskFormat.MBPP, prompt, functionName(asserts.get(0)), text(n, "code"),
                tests, Map.of());
    }

    private Task bigCodeBench(JsonNode n, String set) {
        String prompt = bigCodeBenchPrompt == BigCodeBenchPrompt.INSTRUCT ? text(n, "instruct_prompt")
                : text(n, "complete_prompt");
        String reference = text(n, "code_prompt") + text(n, "canonical_solution");
        Map<String, Object> metadata = new LinkedHashMap<>();
        if (n.has("libs")) {
            metadata.put("libs", n.get("libs").isArray() ? strings(n, "libs") : n.get("libs").asString());
        }
        metadata.put("prompt", bigCodeBenchPrompt.name().toLowerCase());
        return task(set, text(n, "task_id"), TaskFormat.BIGCODEBENCH, prompt, optionalText(n, "entry_point"),
                reference, List.of(TestCase.unittestSuite("TestCases", text(n, "test"))), metadata);
    }

    private Task own(JsonNode n, String set) {
        JsonNode tests = n.get("tests");
        if (tests == null || !tests.isArray() || tests.isEmpty()) {
            throw new IllegalArgumentException("tests: a non-empty array is required");
        }
        List<TestCase> parsed = new ArrayList<>();
        for (int i = 0; i < tests.size(); i++) {
            JsonNode t = tests.get(i);
            TestCase test = new TestCase(optionalText(t, "name"), optionalText(t, "code"), optionalText(t, "stdin"),
                    optionalText(t, "expectedStdout"), optionalText(t, "unittest"));
            if (test.name() == null || test.name().isBlank()) {
                throw new IllegalArgumentException("tests[" + i + "].name is required");
            }
            if (test.style().isEmpty()) {
                throw new IllegalArgumentException("tests[" + i + "]: set exactly one of code, expectedStdout, unittest");
            }
            parsed.add(test);
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        if (n.has("tags")) {
            metadata.put("tags", strings(n, "tags"));
        }
        Task task = task(set, text(n, "id"), TaskFormat.ITERPREF, text(n, "prompt"), optionalText(n, "entryPoint"),
                optionalText(n, "referenceSolution"), parsed, metadata);
        String language = optionalText(n, "language");
        return language == null ? task : new Task(task.id(), set, task.externalId(), task.format(), language,
                task.prompt(), task.entryPoint(), task.referenceSolution(), task.tests(), task.status(), null,
                task.metadata(), task.createdAt());
    }

    private static Task task(String set, String externalId, TaskFormat format, String prompt, String entryPoint,
                             String reference, List<TestCase> tests, Map<String, Object> metadata) {
        return new Task(UUID.randomUUID(), set, externalId, format, "python", prompt, entryPoint, reference, tests,
                TaskStatus.PENDING, null, metadata, Instant.now());
    }

    private static String text(JsonNode n, String field) {
        String value = optionalText(n, field);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
        return value;
    }

    private static String idText(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(field + " is required");
        }
        return v.isNumber() ? v.asString() : text(n, field);
    }

    private static String optionalText(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return v.asString();
    }

    private static List<String> strings(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isArray()) {
            throw new IllegalArgumentException(field + " must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        v.forEach(e -> out.add(e.asString()));
        return out;
    }

    /** {@code assert min_cost(...) == 8} → {@code min_cost}. */
    private static String functionName(String assertion) {
        var m = java.util.regex.Pattern.compile("assert\\s+\\(?\\s*(?:set\\(|math\\.isclose\\()?\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\(")
                .matcher(assertion);
        return m.find() ? m.group(1) : null;
    }
}
