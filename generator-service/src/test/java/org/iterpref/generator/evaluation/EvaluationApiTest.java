package org.iterpref.generator.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import org.iterpref.generator.support.ExampleTasks;
import org.iterpref.generator.support.GeneratorClient;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import tools.jackson.databind.JsonNode;

/**
 * Evaluations through the REST API on example tasks: the reference source scores exactly 1.0 and
 * passes a 1.0 gate; the bug-injection source (whose first attempt is always a failing mutant)
 * scores 0 and fails a gate, with a JUnit report valid against the schema; comparisons, history,
 * reports and bad input.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EvaluationApiTest extends GeneratorIntegrationTest {

    static final int TASKS = 4;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, EvaluationApiTest.class);
    }

    String reference;
    String mutants;

    @BeforeAll
    void evaluate() {
        GeneratorClient client = client();
        var imported = client.post("/v1/tasks/import?format=jsonl&set=eval", "application/x-ndjson",
                ExampleTasks.first(TASKS));
        assertThat(imported.body().get("valid").asInt()).as(imported.raw()).isEqualTo(TASKS);
        client.post("/v1/tasks/import?format=jsonl&set=other", "application/x-ndjson", ExampleTasks.first(1));
        reference = start(Map.of("taskSet", "eval", "source", Map.of("type", "reference"), "samples", 3,
                "k", List.of(1, 3), "seed", 5, "gate", Map.of("metric", "pass@1", "min", 1.0)));
        mutants = start(Map.of("taskSet", "eval", "source", Map.of("type", "bug-injection"), "samples", 2,
                "k", List.of(1, 2), "seed", 5, "gate", Map.of("metric", "pass@1", "min", 0.4)));
        finished(reference);
        finished(mutants);
    }

    String start(Map<String, Object> request) {
        var reply = client().post("/v1/evaluations", request);
        assertThat(reply.status()).as(reply.raw()).isEqualTo(202);
        return reply.body().get("id").asString();
    }

    JsonNode finished(String id) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(300)).until(() ->
                List.of("COMPLETED", "ERRORED", "CANCELLED").contains(
                        client().get("/v1/evaluations/" + id).body().get("status").asString()));
        return client().get("/v1/evaluations/" + id).body();
    }

    @Test
    void theReferenceSourceScoresExactlyOneAndPassesAOnePointZeroGate() {
        JsonNode e = finished(reference);
        assertThat(e.get("status").asString()).as(e.toString()).isEqualTo("COMPLETED");
        assertThat(e.get("passAtK").get("pass@1").asDouble()).isEqualTo(1.0);
        assertThat(e.get("passAtK").get("pass@3").asDouble()).isEqualTo(1.0);
        assertThat(e.get("gate").get("verdict").asString()).isEqualTo("PASSED");
        assertThat(e.get("reportedModels").get(0).asString()).isEqualTo("reference");
        assertThat(e.get("progress").get("total").asInt()).isEqualTo(TASKS * 3);
        assertThat(e.get("tasks")).hasSize(TASKS);
        for (JsonNode t : e.get("tasks")) {
            assertThat(t.get("n").asInt()).isEqualTo(3);
            assertThat(t.get("c").asInt()).isEqualTo(3);
        }
        assertThat(e.get("durationMs").asLong()).isPositive();
    }

    @Test
    void injectedBugsScoreZeroAndFailTheGateWithAValidJunitReport() throws Exception {
        JsonNode e = finished(mutants);
        assertThat(e.get("status").asString()).as(e.toString()).isEqualTo("COMPLETED");
        assertThat(e.get("passAtK").get("pass@1").asDouble()).isZero();
        JsonNode gate = e.get("gate");
        assertThat(gate.get("verdict").asString()).isEqualTo("FAILED");
        assertThat(gate.get("reason").asString()).contains("pass@1 = 0.0000 < 0.4000");

        var reply = client().get("/v1/evaluations/" + mutants + "/report.junit.xml");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("application/xml");
        SchemaFactory schemas = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        schemas.newSchema(new StreamSource(getClass().getResourceAsStream("/evaluation/junit.xsd"))).newValidator()
                .validate(new StreamSource(new StringReader(reply.raw())));
        Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new InputSource(new StringReader(reply.raw())));
        Element suite = (Element) xml.getElementsByTagName("testsuite").item(0);
        assertThat(suite.getAttribute("tests")).isEqualTo(Integer.toString(TASKS + 1));
        assertThat(suite.getAttribute("failures")).isEqualTo(Integer.toString(TASKS + 1));
        NodeList failures = xml.getElementsByTagName("failure");
        assertThat(failures.getLength()).isEqualTo(TASKS + 1);
        // a failing task carries one failing sample's feedback and code
        String first = failures.item(0).getTextContent();
        assertThat(first).contains("feedback:").contains("code:").contains("def ");
    }

    @Test
    void theReferenceReportIsValidJunitWithoutFailures() throws Exception {
        String xml = client().get("/v1/evaluations/" + reference + "/report.junit.xml").raw();
        SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(new StreamSource(getClass().getResourceAsStream("/evaluation/junit.xsd"))).newValidator()
                .validate(new StreamSource(new StringReader(xml)));
        assertThat(xml).contains("failures=\"0\"").doesNotContain("<failure");
    }

    @Test
    void markdownAndHtmlReportsShowScoresAndAFailingSampleEscaped() {
        var md = client().get("/v1/evaluations/" + mutants + "/report.md");
        assertThat(md.contentType()).startsWith("text/markdown");
        assertThat(md.raw()).contains("| pass@1 | 0.0000 |").contains("## A failing sample").contains("```python")
                .contains("**FAILED**");
        var html = client().get("/v1/evaluations/" + mutants + "/report.html");
        assertThat(html.contentType()).startsWith("text/html");
        assertThat(html.raw()).contains("<h2>A failing sample").contains("class=\"fill\"").doesNotContain("<script");
        // code is escaped: a comparison in the failing sample never opens a tag
        String code = html.raw().substring(html.raw().indexOf("<pre><code>"), html.raw().indexOf("</code></pre>"));
        assertThat(code.substring("<pre><code>".length())).doesNotContain("<");
    }

    @Test
    void comparingTheMutantsToTheReferenceFixesEveryTask() {
        var reply = client().get("/v1/evaluations/compare?base=" + mutants + "&candidate=" + reference);
        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        JsonNode c = reply.body();
        assertThat(c.get("delta").asDouble()).isEqualTo(1.0);
        assertThat(c.get("fixed")).hasSize(TASKS);
        assertThat(c.get("broken")).isEmpty();
        assertThat(c.get("interval").get("low").asDouble()).isEqualTo(1.0);
        assertThat(c.get("interval").get("high").asDouble()).isEqualTo(1.0);
        for (JsonNode t : c.get("tasks")) {
            assertThat(t.get("delta").asDouble()).isEqualTo(1.0);
        }
        var reverse = client().get("/v1/evaluations/compare?base=" + reference + "&candidate=" + mutants).body();
        assertThat(reverse.get("broken")).hasSize(TASKS);
        assertThat(reverse.get("delta").asDouble()).isEqualTo(-1.0);
    }

    @Test
    void evaluationsOfOtherTaskSetsDoNotCompare() {
        String other = start(Map.of("taskSet", "other", "source", Map.of("type", "reference")));
        finished(other);
        var reply = client().get("/v1/evaluations/compare?base=" + reference + "&candidate=" + other);
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.raw()).contains("candidate");
        var metric = client().get("/v1/evaluations/compare?base=" + reference + "&candidate=" + mutants + "&metric=pass@3");
        assertThat(metric.status()).isEqualTo(400);
        assertThat(metric.raw()).contains("metric");
    }

    @Test
    void historyListsNewestFirstByTaskSetAndModel() {
        JsonNode all = client().get("/v1/evaluations?taskSet=eval").body();
        List<String> ids = new ArrayList<>();
        all.forEach(e -> ids.add(e.get("id").asString()));
        assertThat(ids).containsSubsequence(mutants, reference);
        JsonNode byModel = client().get("/v1/evaluations?taskSet=eval&model=reference").body();
        assertThat(byModel).isNotEmpty().allSatisfy(e -> {
            assertThat(e.get("model").asString()).isEqualTo("reference");
            assertThat(e.get("tasks")).isEmpty();
        });
        assertThat(client().get("/v1/evaluations?limit=0").status()).isEqualTo(400);
    }

    @Test
    void badRequestsNameTheFieldAtFault() {
        Map<String, Map<String, Object>> cases = new HashMap<>();
        cases.put("k[0]", Map.of("taskSet", "eval", "source", Map.of("type", "reference"), "samples", 2,
                "k", List.of(5)));
        cases.put("taskSet", Map.of("taskSet", "nope", "source", Map.of("type", "reference")));
        cases.put("samples", Map.of("taskSet", "eval", "source", Map.of("type", "reference"), "samples", 0));
        cases.put("gate.metric", Map.of("taskSet", "eval", "source", Map.of("type", "reference"),
                "gate", Map.of("metric", "pass@5", "min", 0.5)));
        cases.put("gate.min", Map.of("taskSet", "eval", "source", Map.of("type", "reference"),
                "gate", Map.of("metric", "pass@1", "min", 1.5)));
        cases.put("source.type", Map.of("taskSet", "eval", "source", Map.of("type", "magic")));
        cases.put("temperature", Map.of("taskSet", "eval", "source", Map.of("type", "reference"), "temperature", 0.5));
        cases.put("source.server", Map.of("taskSet", "eval", "source", Map.of("type", "openai", "server", "nowhere",
                "model", "m")));
        int before = client().get("/v1/evaluations?limit=200").body().size();
        cases.forEach((field, request) -> {
            var reply = client().post("/v1/evaluations", request);
            assertThat(reply.status()).as(field + ": " + reply.raw()).isEqualTo(400);
            assertThat(reply.contentType()).startsWith("application/problem+json");
            assertThat(reply.raw()).as(field).contains("\"" + field + "\"");
        });
        assertThat(client().get("/v1/evaluations?limit=200").body().size()).as("nothing stored").isEqualTo(before);
        assertThat(client().get("/v1/evaluations/00000000-0000-0000-0000-000000000000").status()).isEqualTo(404);
    }

    @Test
    void eventsEndWithTheFinishedEvaluation() {
        var reply = client().get("/v1/evaluations/" + reference + "/events");
        assertThat(reply.raw()).contains("event:progress").contains("event:end").contains("\"COMPLETED\"");
    }
}
