package org.iterpref.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.iterpref.cli.ExitCodes;
import org.iterpref.cli.IterPref;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code iterpref report} against a local server speaking the gateway's routes: the generator's
 * API under /api and the trainer's OpenAI surface under /v1, as the main job calls them.
 */
class ReportCommandTest {

    static final String TASK_A = "0a1b2c3d-0000-0000-0000-000000000001";
    static final String TASK_B = "0a1b2c3d-0000-0000-0000-000000000002";
    static final String REJECTED = "def f(x):\n    return x - 1\n";

    HttpServer server;
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    volatile String focalMaskBody;
    volatile boolean olderTrainer;
    volatile boolean readOnlyKey;
    volatile boolean rerun;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String query = x.getRequestURI().getRawQuery();
        requests.add(x.getRequestMethod() + " " + x.getRequestURI());
        authorizations.add(String.valueOf(x.getRequestHeaders().getFirst("Authorization")));
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        switch (path) {
            case "/api/generation-runs/run-1" -> reply(x, 200, """
                    {"id":"run-1","taskSet":"examples","sourceType":"bug-injection","model":null,"synthetic":true,
                     "status":"COMPLETED","maxIterations":5,"samplesPerTask":1,"seed":0,"iterations":9,
                     "counts":{"total":4,"queued":0,"running":0,"passed":3,"failed":1,"errored":0,"cancelled":0}}""");
            case "/api/tasks" -> reply(x, 200, """
                    {"set":"examples","page":0,"size":1,"total":4,"tasks":[]}""");
            case "/api/tasks/" + TASK_A -> reply(x, 200, "{\"id\":\"" + TASK_A + "\",\"externalId\":\"HumanEval/<3>\"}");
            case "/api/pairs/stats" -> reply(x, 200, """
                    {"kept":3,"alreadyStored":0,"filtered":{"EMPTY_REGION":1,"DUPLICATE":2},
                     "regionLines":{"min":1,"p50":1,"p90":1,"max":1,"meanShare":0.3}}""");
            case "/api/pairs" -> reply(x, 200, rerun && query.startsWith("run=") ? "{\"pairs\":[],\"next\":0}"
                    : query.contains("after=0&") ? """
                    {"pairs":[%s,%s,%s,%s],"next":9}""".formatted(pair(7, TASK_B, "[[10,27]]"),
                    pair(5, TASK_A, "[]"), pair(9, TASK_A, "[[10,27]]"), pair(3, TASK_A, "[[4,4]]"))
                    : "{\"pairs\":[],\"next\":9}");
            case "/api/evaluations/e-before" -> reply(x, 200, evaluation("e-before", "tiny-qwen2", "0.25"));
            case "/api/evaluations/e-after" -> reply(x, 200, evaluation("e-after", "ft:tiny-qwen2:x:ftjob-1", "0.5"));
            case "/v1/fine_tuning/jobs/ftjob-1" -> reply(x, 200, """
                    {"id":"ftjob-1","object":"fine_tuning.job","model":"tiny-qwen2","status":"succeeded",
                     "fine_tuned_model":"ft:tiny-qwen2:x:ftjob-1","trained_tokens":4096,
                     "pairs":{"feed":"http://g/v1/pairs","run":"run-1","training_pairs":2,"validation_pairs":1}}""");
            case "/v1/fine_tuning/jobs/ftjob-1/metrics" -> reply(x, 200, query.contains("after=") ? """
                    {"object":"list","data":[
                     {"id":"ftmetric-3","kind":"train","step":2,"loss":0.6,"rewards/margins":0.2,"rewards/accuracies":1.0},
                     {"id":"ftmetric-4","kind":"eval","step":2,"eval_loss":0.5,"eval_rewards/margins":0.3,
                      "eval_rewards/accuracies":1.0}],"has_more":false,"first_id":"ftmetric-3","last_id":"ftmetric-4"}"""
                    : """
                    {"object":"list","data":[
                     {"id":"ftmetric-1","kind":"eval","step":0,"eval_loss":0.69,"eval_rewards/margins":0.0,
                      "eval_rewards/accuracies":0.0},
                     {"id":"ftmetric-2","kind":"train","step":1,"loss":0.69,"rewards/margins":0.1,"rewards/accuracies":0.5}],
                     "has_more":true,"first_id":"ftmetric-1","last_id":"ftmetric-2"}""");
            case "/v1/fine_tuning/focal_mask" -> {
                focalMaskBody = body;
                if (readOnlyKey) {
                    reply(x, 403, """
                            {"error":{"message":"This API key lacks the scope train.","type":"invalid_request_error",
                             "param":null,"code":"insufficient_scope"}}""");
                } else if (olderTrainer) {
                    reply(x, 404, """
                            {"error":{"message":"Unknown request URL: POST /v1/fine_tuning/focal_mask.",
                             "type":"invalid_request_error","param":null,"code":"unknown_url"}}""");
                } else {
                    reply(x, 200, """
                            {"object":"focal_mask","model":"tiny-qwen2","tokens":[
                             {"text":"def","start":0,"end":3,"focal":false},{"text":" f(x):\\n   ","start":3,"end":13,"focal":false},
                             {"text":" return","start":13,"end":20,"focal":true},{"text":" x - 1\\n","start":20,"end":27,"focal":true}],
                             "focal_tokens":2,"total_tokens":4}""");
                }
            }
            default -> reply(x, 404, "{\"title\":\"Not Found\",\"detail\":\"no " + path + "\"}");
        }
    }

    static String pair(long id, String task, String spans) {
        return """
                {"id":%d,"origin":"run","runId":"run-1","taskSet":"examples","taskId":"%s","prompt":"Write f.",
                 "chosen":"def f(x):\\n    return x\\n","rejected":"def f(x):\\n    return x - 1\\n","errorSpans":%s,
                 "regionLines":1,"rejectedLines":2,"synthetic":true,"alreadyStored":false,"feedPosition":%d}"""
                .formatted(id, task, spans, id);
    }

    static String evaluation(String id, String model, String pass1) {
        return """
                {"id":"%s","taskSet":"examples","sourceType":"openai","model":"%s","status":"COMPLETED",
                 "passAtK":{"pass@1":%s},"tasks":[{"externalId":"a"},{"externalId":"b"},{"externalId":"c"}]}"""
                .formatted(id, model, pass1);
    }

    static void reply(HttpExchange x, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }

    record Run(int exit, String out, String err) {
    }

    Run report(Path html) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = IterPref.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute("report", "--url", origin() + "/api", "--trainer-url", origin() + "/v1",
                "--api-key", "sekret", "--run", "run-1", "--fine-tuning-job", "ftjob-1", "--before", "e-before",
                "--after", "e-after", "--html", html.toString());
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void reportFetchesEveryStageWithTheKeyPrintsTheSummaryAndWritesThePage(@TempDir Path dir) throws IOException {
        Path html = dir.resolve("out/report.html");

        Run r = report(html);

        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(authorizations).as("every call, to the generator and the trainer, carries the key")
                .isNotEmpty().allMatch("Bearer sekret"::equals);
        assertThat(requests).contains("GET /api/tasks?set=examples&size=1", "GET /api/pairs/stats?run=run-1",
                "GET /api/pairs?run=run-1&after=0&limit=1000", "GET /api/pairs?run=run-1&after=9&limit=1000",
                "GET /v1/fine_tuning/jobs/ftjob-1/metrics?limit=1000",
                "GET /v1/fine_tuning/jobs/ftjob-1/metrics?limit=1000&after=ftmetric-2", "GET /api/tasks/" + TASK_A);
        assertThat(r.out()).containsPattern("tasks +4").containsPattern("trajectories +4 +3 passed, 1 failed")
                .containsPattern("iterations +9").containsPattern("pairs kept +3 +from 2 tasks")
                .containsPattern("pairs filtered +3 +EMPTY_REGION 1, DUPLICATE 2")
                .containsPattern("training pairs +2").containsPattern("validation pairs +1")
                .containsPattern("trained tokens +4096").containsPattern("evaluated tasks +3 / 3")
                .containsPattern("pass@1 +0.2500 +0.5000 +\\+0.2500")
                .containsPattern("held-out preference accuracy +0.0000 +1.0000")
                .containsPattern("held-out reward margin +0.0000 +0.3000")
                .contains("fine-tuned model ft:tiny-qwen2:x:ftjob-1").contains("wrote " + html)
                .doesNotContain("not marked");
        JsonNode mask = JsonMapper.builder().build().readTree(focalMaskBody);
        assertThat(mask.path("model").asString()).as("the job's base model").isEqualTo("tiny-qwen2");
        assertThat(mask.path("rejected").asString()).isEqualTo(REJECTED);
        assertThat(mask.path("error_spans").toString()).isEqualTo("[[10,27]]");
        String page = Files.readString(html);
        assertThat(page).as("the pair with a region and the smallest task id, then pair id")
                .contains("Pair 9 of task <b>HumanEval/&lt;3&gt;</b>")
                .contains("   <span class=\"focal\"> return</span><span class=\"focal\"> x - 1</span>")
                .contains("class=\"line region\" data-line=\"2\"")
                .contains(origin() + "/swagger-ui.html").contains(origin() + "/actuator/prometheus")
                .contains("<polyline class=\"train\"");
    }

    @Test
    void aRerunWhosePairsWereAllStoredBeforeShowsAnExampleFromTheTaskSet(@TempDir Path dir) throws IOException {
        rerun = true;
        Path html = dir.resolve("report.html");

        Run r = report(html);

        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(requests).contains("GET /api/pairs?run=run-1&after=0&limit=1000",
                "GET /api/pairs?set=examples&after=0&limit=1000");
        assertThat(Files.readString(html)).contains("Pair 9 of task <b>HumanEval/&lt;3&gt;</b>")
                .contains("the kept pair of task set examples (the run stored no new pair with an error region)")
                .contains("class=\"line region\" data-line=\"2\"");
    }

    @Test
    void anOlderTrainerWithoutFocalMaskGivesTheRegionWithoutTokenMarks(@TempDir Path dir) throws IOException {
        olderTrainer = true;
        Path html = dir.resolve("report.html");

        Run r = report(html);

        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("focal tokens not marked: the trainer has no focal_mask endpoint (HTTP 404");
        assertThat(Files.readString(html)).contains("id=\"mask-note\"").contains("class=\"line region\"")
                .doesNotContain("class=\"focal\"");
    }

    @Test
    void aKeyWithoutTheTrainScopeStillGetsTheReportWithoutTokenMarks(@TempDir Path dir) throws IOException {
        readOnlyKey = true;
        Path html = dir.resolve("report.html");

        Run r = report(html);

        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("focal tokens not marked: the API key may not call the trainer's focal_mask "
                + "(HTTP 403: This API key lacks the scope train.");
        assertThat(Files.readString(html)).contains("id=\"mask-note\"").contains("needs the train scope")
                .doesNotContain("class=\"focal\"");
    }

    @Test
    void aMissingEvaluationExitsTwoAndWritesNothing(@TempDir Path dir) {
        Path html = dir.resolve("report.html");
        StringWriter err = new StringWriter();
        CommandLine cli = IterPref.commandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("report", "--url", origin() + "/api", "--trainer-url", origin() + "/v1", "--run", "run-1",
                "--fine-tuning-job", "ftjob-1", "--before", "e-before", "--after", "nope", "--html", html.toString());

        assertThat(exit).isEqualTo(ExitCodes.ERROR);
        assertThat(err.toString()).contains("HTTP 404: no /api/evaluations/nope");
        assertThat(html).doesNotExist();
    }
}
