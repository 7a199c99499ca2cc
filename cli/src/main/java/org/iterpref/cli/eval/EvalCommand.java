package org.iterpref.cli.eval;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.iterpref.cli.ApiOptions;
import org.iterpref.cli.ExitCodes;
import org.iterpref.cli.PatientPolls;
import org.iterpref.cli.ProgressLine;
import org.iterpref.cli.UsageException;
import org.iterpref.cli.http.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/**
 * {@code iterpref eval}: starts an evaluation, shows its progress, prints the summary table,
 * writes the reports, and exits 0 when the gate passes, 1 when it fails, 2 on usage or server errors.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a code source on a task set (pass@k), judge a quality gate, write reports.")
public final class EvalCommand implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Option(names = "--task-set", required = true, description = "The task set to evaluate on")
    String taskSet;

    @Option(names = "--source", required = true, description = "openai, reference or bug-injection")
    String source;

    @Option(names = "--server", description = "For --source openai: the operator-configured model server")
    String server;

    @Option(names = "--model", description = "For --source openai: the model id")
    String model;

    @Option(names = "--samples", defaultValue = "1", description = "Attempts per task (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--k", split = ",", defaultValue = "1", description = "The k of pass@k, e.g. 1,5 (default: 1)")
    List<Integer> k;

    @Option(names = "--temperature", description = "For --source openai")
    Double temperature;

    @Option(names = "--max-tokens", description = "For --source openai")
    Integer maxTokens;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--gate", converter = GateSpec.Converter.class, paramLabel = "pass@K>=MIN",
            description = "The quality gate, e.g. 'pass@1>=0.4'")
    GateSpec gate;

    @Option(names = "--junit", paramLabel = "FILE", description = "Write the JUnit XML report")
    Path junit;

    @Option(names = "--markdown", paramLabel = "FILE", description = "Write the Markdown report")
    Path markdown;

    @Option(names = "--html", paramLabel = "FILE", description = "Write the HTML report")
    Path html;

    @Option(names = "--compare-to", paramLabel = "EVALUATION_ID",
            description = "Print the comparison of this evaluation (candidate) with that one (base)")
    String compareTo;

    @Option(names = "--poll-ms", defaultValue = "1000", hidden = true)
    long pollMs;

    @Option(names = "--patience", defaultValue = "300", paramLabel = "SECONDS",
            description = "How long to keep polling a service that went away (a restart) before giving up "
                    + "(default: ${DEFAULT-VALUE})")
    long patienceSeconds;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> sourceDoc = sourceDocument();
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("taskSet", taskSet);
        request.put("source", sourceDoc);
        request.put("samples", samples);
        request.put("k", k);
        request.put("seed", seed);
        if (temperature != null) {
            request.put("temperature", temperature);
        }
        if (maxTokens != null) {
            request.put("maxTokens", maxTokens);
        }
        if (gate != null) {
            request.put("gate", gate.request());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ApiClient client = api.client();
        JsonNode started = client.post("/evaluations", request);
        String id = started.path("id").asString();
        err.println("evaluation " + id + " started: " + started.path("progress").path("total").asInt() + " samples");
        JsonNode e = follow(client, id, ProgressLine.forConsole(err));
        EvaluationPrinter.summary(e, out);
        writeReport(client, id, "report.junit.xml", junit, err);
        writeReport(client, id, "report.md", markdown, err);
        writeReport(client, id, "report.html", html, err);
        if (compareTo != null) {
            EvaluationPrinter.comparison(client.get("/evaluations/compare?base=" + compareTo + "&candidate=" + id), out);
        }
        return exitCode(e);
    }

    private Map<String, Object> sourceDocument() {
        String type = source.toLowerCase(Locale.ROOT);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("type", type);
        switch (type) {
            case "openai" -> {
                if (server == null || model == null) {
                    throw new UsageException("--source openai needs --server and --model");
                }
                doc.put("server", server);
                doc.put("model", model);
            }
            case "reference", "bug-injection" -> {
                if (server != null || model != null || temperature != null || maxTokens != null) {
                    throw new UsageException("--server, --model, --temperature and --max-tokens are for --source openai");
                }
            }
            default -> throw new UsageException("--source must be openai, reference or bug-injection, not '" + source + "'");
        }
        return doc;
    }

    private JsonNode follow(ApiClient client, String id, ProgressLine progress) throws InterruptedException {
        long start = System.nanoTime();
        PatientPolls polls = new PatientPolls(Duration.ofSeconds(patienceSeconds), Duration.ofMillis(Math.max(50, pollMs)),
                progress);
        while (true) {
            JsonNode e = polls.get(() -> client.get("/evaluations/" + id));
            JsonNode p = e.path("progress");
            String status = e.path("status").asString();
            int done = p.path("passed").asInt() + p.path("failed").asInt() + p.path("errored").asInt()
                    + p.path("cancelled").asInt();
            progress.show(status, String.format(Locale.ROOT, "%-9s %d/%d samples  passed %d  failed %d  errored %d  %.0f s",
                    status, done, p.path("total").asInt(), p.path("passed").asInt(), p.path("failed").asInt(),
                    p.path("errored").asInt(), (System.nanoTime() - start) / 1e9));
            if (List.of("COMPLETED", "ERRORED", "CANCELLED").contains(status)) {
                progress.done();
                return e;
            }
            Thread.sleep(Math.max(50, pollMs));
        }
    }

    private static void writeReport(ApiClient client, String id, String name, Path target, PrintWriter err)
            throws java.io.IOException {
        if (target == null) {
            return;
        }
        Files.writeString(target, client.text("/evaluations/" + id + "/" + name), StandardCharsets.UTF_8);
        err.println("wrote " + target);
    }

    static int exitCode(JsonNode e) {
        JsonNode gate = e.path("gate");
        if (gate.isObject()) {
            return "PASSED".equals(gate.path("verdict").asString()) ? ExitCodes.OK : ExitCodes.FAILED;
        }
        return "COMPLETED".equals(e.path("status").asString()) ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
