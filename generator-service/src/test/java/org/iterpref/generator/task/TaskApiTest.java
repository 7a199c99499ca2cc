package org.iterpref.generator.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.iterpref.generator.support.GeneratorClient;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** Tasks over REST, against real PostgreSQL and the real executor. */
class TaskApiTest extends GeneratorIntegrationTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, TaskApiTest.class);
    }

    static Map<String, Object> task(String set, String id, String reference) {
        return Map.of("set", set, "id", id, "prompt", "Write add(a, b).", "entryPoint", "add",
                "referenceSolution", reference,
                "tests", List.of(Map.of("name", "t1", "code", "assert add(1, 2) == 3"),
                        Map.of("name", "t2", "code", "assert add(-1, 1) == 0")));
    }

    @Test
    void createdTaskIsValidatedAgainstItsReferenceAndCanBeRead() {
        GeneratorClient client = client();
        var created = client.post("/v1/tasks", task("api", "add-ok", "def add(a, b):\n    return a + b\n"));
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(created.body().get("status").asString()).isEqualTo("VALID");

        var wrong = client.post("/v1/tasks", task("api", "add-wrong", "def add(a, b):\n    return a - b\n"));
        assertThat(wrong.body().get("status").asString()).isEqualTo("INVALID");
        assertThat(wrong.body().get("statusReason").asString()).contains("FAILED", "assert add(1, 2) == 3");

        var read = client.get("/v1/tasks/" + created.body().get("id").asString());
        assertThat(read.body().get("tests")).hasSize(2);
        var page = client.get("/v1/tasks?set=api&page=0&size=10");
        assertThat(page.body().get("total").asLong()).isEqualTo(2);
    }

    @Test
    void badTasksAreProblemsNamingTheField() {
        GeneratorClient client = client();
        var noTests = client.post("/v1/tasks", Map.of("set", "api2", "prompt", "x"));
        assertThat(noTests.status()).isEqualTo(400);
        assertThat(noTests.contentType()).startsWith("application/problem+json");
        assertThat(noTests.body().get("field").asString()).isEqualTo("tests");
        var badSet = client.post("/v1/tasks", Map.of("set", "no spaces allowed", "prompt", "x"));
        assertThat(badSet.body().get("field").asString()).isEqualTo("set");
        var malformed = client.post("/v1/tasks", "application/json", "{\"set\": ");
        assertThat(malformed.status()).isEqualTo(400);
        var duplicate = client.post("/v1/tasks", task("api2", "dup", "def add(a, b):\n    return a + b\n"));
        assertThat(duplicate.status()).isEqualTo(201);
        var again = client.post("/v1/tasks", task("api2", "dup", "def add(a, b):\n    return a + b\n"));
        assertThat(again.status()).isEqualTo(400);
        assertThat(again.body().get("field").asString()).isEqualTo("id");
        assertThat(client.get("/v1/tasks/" + java.util.UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(client.get("/v1/tasks?size=100000").body().get("field").asString()).isEqualTo("size");
    }

    @Test
    void importReportsBadLinesByNumberAndKeepsTheGoodOnes() {
        String jsonl = String.join("\n",
                "{\"task_id\": \"X/0\", \"prompt\": \"def inc(x):\\n    \\\"\\\"\\\"Add one.\\\"\\\"\\\"\\n\", "
                        + "\"canonical_solution\": \"    return x + 1\\n\", \"entry_point\": \"inc\", "
                        + "\"test\": \"def check(candidate):\\n    assert candidate(1) == 2\\n\"}",
                "{not json",
                "{\"task_id\": \"X/2\", \"prompt\": \"def f():\\n\"}",
                "{\"task_id\": \"X/3\", \"prompt\": \"def dec(x):\\n\", \"canonical_solution\": \"    return x + 1\\n\", "
                        + "\"entry_point\": \"dec\", \"test\": \"def check(candidate):\\n    assert candidate(1) == 0\\n\"}");
        var reply = client().post("/v1/tasks/import?format=humaneval&set=he", "application/x-ndjson", jsonl);
        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        JsonNode report = reply.body();
        assertThat(report.get("lines").asInt()).isEqualTo(4);
        assertThat(report.get("imported").asInt()).isEqualTo(2);
        assertThat(report.get("valid").asInt()).isEqualTo(1);
        assertThat(report.get("invalid").asInt()).isEqualTo(1);
        assertThat(report.get("errors").get(0).get("line").asInt()).isEqualTo(2);
        assertThat(report.get("errors").get(1).get("line").asInt()).isEqualTo(3);
        assertThat(report.get("errors").get(1).get("message").asString()).contains("is required");
    }

    @Test
    void importsMbppAndBigCodeBenchShapes() {
        String mbpp = "{\"task_id\": 11, \"text\": \"Write a function to double a number.\", "
                + "\"code\": \"def double(x):\\n    return 2 * x\\n\", \"test_list\": [\"assert double(2) == 4\", "
                + "\"assert double(0) == 0\"], \"test_setup_code\": \"\"}";
        var m = client().post("/v1/tasks/import?format=mbpp&set=mb", "application/x-ndjson", mbpp);
        assertThat(m.body().get("valid").asInt()).as(m.raw()).isEqualTo(1);

        String bcb = "{\"task_id\": \"BigCodeBench/1\", \"complete_prompt\": \"import math\\ndef task_func(x):\\n\", "
                + "\"instruct_prompt\": \"Return the square root of x.\", \"code_prompt\": \"import math\\ndef task_func(x):\\n\", "
                + "\"canonical_solution\": \"    return math.sqrt(x)\\n\", \"entry_point\": \"task_func\", \"libs\": [\"math\"], "
                + "\"test\": \"import unittest\\nclass TestCases(unittest.TestCase):\\n    def test_four(self):\\n"
                + "        self.assertEqual(task_func(4), 2.0)\\n    def test_zero(self):\\n        self.assertEqual(task_func(0), 0.0)\\n\"}";
        var b = client().post("/v1/tasks/import?format=bigcodebench&set=bcb", "application/x-ndjson", bcb);
        assertThat(b.body().get("valid").asInt()).as(b.raw()).isEqualTo(1);
        JsonNode task = client().get("/v1/tasks?set=bcb").body().get("tasks").get(0);
        assertThat(task.get("prompt").asString()).isEqualTo("Return the square root of x.");
        assertThat(task.get("tests").get(0).get("unittest").asString()).contains("class TestCases");
    }

    @Test
    void oversizeBodiesAre413() {
        String huge = "{\"set\":\"big\",\"prompt\":\"" + "a".repeat(17 * 1024 * 1024) + "\"}";
        var reply = client().post("/v1/tasks", "application/json", huge);
        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.contentType()).startsWith("application/problem+json");
    }

    @Test
    void unknownFormatIsAProblem() {
        var reply = client().post("/v1/tasks/import?format=apps&set=x", "application/x-ndjson", "{}");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().get("field").asString()).isEqualTo("format");
    }
}
