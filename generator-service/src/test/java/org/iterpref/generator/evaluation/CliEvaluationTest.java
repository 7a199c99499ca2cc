package org.iterpref.generator.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import org.iterpref.cli.IterPref;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.iterpref.generator.support.SharedTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import picocli.CommandLine;

/**
 * The {@code iterpref} command line, end to end on the bundled tasks against this service, the real
 * executor and the trainer serving its tiny model: the reference source scores exactly 1.0 and
 * passes a 1.0 gate (exit 0); the tiny model scores near 0 and fails a 0.4 gate (exit 1) with a
 * valid JUnit file; the comparison of the two prints per-task deltas.
 */
class CliEvaluationTest extends GeneratorIntegrationTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, CliEvaluationTest.class);
        String trainer = SharedTrainer.apiRoot();
        registry.add("iterpref.generator.model-servers.trainer.base-url", () -> trainer);
        registry.add("iterpref.generator.model-servers.trainer.models[0]", () -> SharedTrainer.MODEL);
    }

    record Run(int exit, String out, String err) {
    }

    Run iterpref(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = IterPref.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        String[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = "--url=http://127.0.0.1:" + port + "/v1";  // an option of the leaf command
        int exit = cli.execute(all);
        return new Run(exit, out.toString(), err.toString());
    }

    static Path bundledTasks() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("examples/tasks/iterpref-examples.jsonl");
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("examples/tasks/iterpref-examples.jsonl not found");
    }

    @Test
    void referencePassesTheTinyModelFailsAndTheComparisonShowsEachTask(@TempDir Path dir) throws Exception {
        Run imported = iterpref("tasks", "import", bundledTasks().toString(), "--format", "jsonl", "--set", "bundled");
        assertThat(imported.exit()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("valid");

        Path referenceXml = dir.resolve("reference.xml");
        Run reference = iterpref("eval", "--task-set", "bundled", "--source", "reference", "--gate", "pass@1>=1.0",
                "--junit", referenceXml.toString(), "--poll-ms", "200");
        assertThat(reference.exit()).as(reference.out() + reference.err()).isZero();
        assertThat(reference.out()).containsPattern("overall\\s+1\\.0000").contains("PASSED");
        String referenceId = evaluationId(reference.err());

        Path tinyXml = dir.resolve("tiny.xml");
        Run tiny = iterpref("eval", "--task-set", "bundled", "--source", "openai", "--server", "trainer", "--model",
                SharedTrainer.MODEL, "--temperature", "0", "--max-tokens", "32", "--gate", "pass@1>=0.4",
                "--junit", tinyXml.toString(), "--compare-to", referenceId, "--poll-ms", "200");
        assertThat(tiny.exit()).as(tiny.out() + tiny.err()).isEqualTo(1);
        assertThat(tiny.out()).contains("gate pass@1>=0.4000: FAILED");
        SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(new StreamSource(getClass().getResourceAsStream("/evaluation/junit.xsd"))).newValidator()
                .validate(new StreamSource(tinyXml.toFile()));
        assertThat(Files.readString(tinyXml)).contains("<failure");
        // base: the reference; candidate: the tiny model, which breaks (nearly) every task
        assertThat(tiny.out()).contains("comparison on pass@1").containsPattern("overall\\s+1\\.0000\\s+0\\.\\d{4}\\s+-")
                .contains("broken: ");
    }

    private static String evaluationId(String err) {
        Matcher m = Pattern.compile("evaluation ([0-9a-f-]{36}) started").matcher(err);
        assertThat(m.find()).as(err).isTrue();
        return m.group(1);
    }
}
