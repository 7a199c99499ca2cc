package org.iterpref.cli.report;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.iterpref.cli.http.ApiClient;
import org.iterpref.cli.http.ApiException;
import org.iterpref.cli.report.ReportData.Metrics;
import tools.jackson.databind.JsonNode;

/**
 * Fetches what the report shows from the generator's API and the trainer's, and maps their JSON
 * into a {@link ReportData}; nothing is computed here that the renderers could compute.
 */
final class ReportFetch {

    static final int PAGE = 1000;

    private final ApiClient generator;
    private final ApiClient trainer;

    ReportFetch(ApiClient generator, ApiClient trainer) {
        this.generator = generator;
        this.trainer = trainer;
    }

    ReportData fetch(String runId, String jobId, String beforeId, String afterId, String set) {
        JsonNode run = generator.get("/generation-runs/" + seg(runId));
        String taskSet = set != null ? set : run.path("taskSet").asString();
        JsonNode tasks = generator.get("/tasks?set=" + query(taskSet) + "&size=1");
        JsonNode stats = generator.get("/pairs/stats?run=" + query(runId));
        List<JsonNode> pairs = pairs("run=" + query(runId));
        JsonNode job = trainer.get("/fine_tuning/jobs/" + seg(jobId));
        List<JsonNode> rows = metrics(jobId);
        ReportData.Evaluation before = evaluation(generator.get("/evaluations/" + seg(beforeId)));
        ReportData.Evaluation after = evaluation(generator.get("/evaluations/" + seg(afterId)));
        return new ReportData(run(run, tasks), pairs(stats, pairs), training(job, rows), before, after,
                example(pairs, taskSet, job.path("model").asString()), links(generator.baseUrl()));
    }

    private static ReportData.Run run(JsonNode run, JsonNode tasks) {
        JsonNode c = run.path("counts");
        return new ReportData.Run(run.path("id").asString(), run.path("taskSet").asString(),
                run.path("sourceType").asString(), text(run.path("model")), run.path("synthetic").asBoolean(),
                run.path("status").asString(), longOrNull(tasks.path("total")), c.path("total").asInt(),
                c.path("passed").asInt(), c.path("failed").asInt(), c.path("errored").asInt(),
                c.path("cancelled").asInt(), run.path("iterations").asLong());
    }

    /**
     * Every pair of the run's feed, page by page until an empty one: a page may be short while a
     * transaction that could commit a pair before the next one is still running.
     */
    private List<JsonNode> pairs(String filter) {
        List<JsonNode> all = new ArrayList<>();
        long after = 0;
        while (true) {
            JsonNode page = generator.get("/pairs?" + filter + "&after=" + after + "&limit=" + PAGE);
            page.path("pairs").forEach(all::add);
            long next = page.path("next").asLong();
            if (page.path("pairs").isEmpty() || next <= after) {
                return all;
            }
            after = next;
        }
    }

    private static ReportData.Pairs pairs(JsonNode stats, List<JsonNode> pairs) {
        Map<String, Long> filtered = new LinkedHashMap<>();
        stats.path("filtered").properties().forEach(e -> filtered.put(e.getKey(), e.getValue().asLong()));
        Set<String> tasks = new HashSet<>();
        pairs.forEach(p -> tasks.add(p.path("taskId").asString()));
        return new ReportData.Pairs(stats.path("kept").asLong(), stats.path("alreadyStored").asLong(), filtered,
                tasks.size());
    }

    /** The job's metric rows, page by page ({@code has_more}, {@code last_id}). */
    private List<JsonNode> metrics(String jobId) {
        List<JsonNode> rows = new ArrayList<>();
        String after = null;
        while (true) {
            JsonNode page = trainer.get("/fine_tuning/jobs/" + seg(jobId) + "/metrics?limit=" + PAGE
                    + (after == null ? "" : "&after=" + query(after)));
            page.path("data").forEach(rows::add);
            String last = text(page.path("last_id"));
            if (!page.path("has_more").asBoolean() || last == null || last.equals(after)) {
                return rows;
            }
            after = last;
        }
    }

    private static ReportData.Training training(JsonNode job, List<JsonNode> rows) {
        List<Metrics> train = new ArrayList<>();
        List<Metrics> eval = new ArrayList<>();
        for (JsonNode row : rows) {
            boolean isEval = "eval".equals(text(row.path("kind"))) || row.has("eval_loss");
            String prefix = isEval ? "eval_" : "";
            Metrics m = new Metrics(row.path("step").asLong(), number(row.path(prefix + "loss")),
                    number(row.path(prefix + "rewards/margins")), number(row.path(prefix + "rewards/accuracies")));
            (isEval ? eval : train).add(m);
        }
        JsonNode pairs = job.path("pairs");
        return new ReportData.Training(job.path("id").asString(), job.path("status").asString(),
                job.path("model").asString(), text(job.path("fine_tuned_model")),
                longOrNull(pairs.path("training_pairs")), longOrNull(pairs.path("validation_pairs")),
                longOrNull(pairs.path("training_tasks")), longOrNull(pairs.path("validation_tasks")),
                longOrNull(job.path("trained_tokens")), train, eval);
    }

    private static ReportData.Evaluation evaluation(JsonNode e) {
        return new ReportData.Evaluation(e.path("id").asString(), text(e.path("model")),
                e.path("status").asString(), e.path("tasks").size(), number(e.path("passAtK").path("pass@1")));
    }

    /**
     * The kept pair with a non-empty error region and the smallest task id (then pair id), with its
     * focal tokens: of the run's pairs, or, when the run stored none (a re-run finds its pairs already
     * stored by an earlier run), of the task set's, which the fine-tuning job reads.
     */
    private ReportData.Example example(List<JsonNode> runPairs, String taskSet, String baseModel) {
        boolean fromRun = runPairs.stream().anyMatch(ReportFetch::hasRegion);
        List<JsonNode> pairs = fromRun ? runPairs : pairs("set=" + query(taskSet));
        String source = fromRun ? "the run" : "task set " + taskSet + " (the run stored no new pair with an error region)";
        JsonNode pair = pairs.stream().filter(ReportFetch::hasRegion)
                .min(Comparator.comparing((JsonNode p) -> p.path("taskId").asString())
                        .thenComparingLong(p -> p.path("id").asLong()))
                .orElse(null);
        if (pair == null) {
            return null;
        }
        List<ReportData.Span> spans = new ArrayList<>();
        pair.path("errorSpans").forEach(s -> spans.add(new ReportData.Span(s.path(0).asInt(), s.path(1).asInt())));
        ReportData.FocalMask mask = null;
        String note;
        try {
            mask = focalMask(trainer.post("/fine_tuning/focal_mask", Map.of("model", baseModel,
                    "rejected", pair.path("rejected").asString(), "error_spans", pair.path("errorSpans"))));
            note = null;
        } catch (ApiException e) {
            note = switch (e.status()) {
                case 404 -> "the trainer has no focal_mask endpoint (" + e.getMessage() + "; an older trainer), so "
                        + "the error region is shown without the tokens that counted";
                // the report only reads, and a key made for reading should still get it
                case 403 -> "the API key may not call the trainer's focal_mask (" + e.getMessage() + "; through "
                        + "the gateway it needs the train scope), so the error region is shown without the tokens "
                        + "that counted";
                default -> throw e;
            };
        }
        String taskId = pair.path("taskId").asString();
        return new ReportData.Example(pair.path("id").asLong(), taskId, task(taskId), pair.path("prompt").asString(),
                pair.path("chosen").asString(), pair.path("rejected").asString(), spans, mask, note, source);
    }

    private static boolean hasRegion(JsonNode pair) {
        for (JsonNode span : pair.path("errorSpans")) {
            if (span.path(1).asInt() > span.path(0).asInt()) {
                return true;
            }
        }
        return false;
    }

    /** The task's external id (e.g. HumanEval/0), or its id when the task is gone. */
    private String task(String taskId) {
        try {
            String external = text(generator.get("/tasks/" + seg(taskId)).path("externalId"));
            return external == null ? taskId : external;
        } catch (ApiException e) {
            if (e.status() != 404) {
                throw e;
            }
            return taskId;
        }
    }

    private static ReportData.FocalMask focalMask(JsonNode m) {
        List<ReportData.Token> tokens = new ArrayList<>();
        m.path("tokens").forEach(t -> tokens.add(new ReportData.Token(t.path("text").asString(),
                t.path("start").asInt(), t.path("end").asInt(), t.path("focal").asBoolean())));
        return new ReportData.FocalMask(m.path("model").asString(), tokens, m.path("focal_tokens").asInt(),
                m.path("total_tokens").asInt());
    }

    /** The gateway's (or the service's) API documentation and Prometheus metrics, at the API's origin. */
    static ReportData.Links links(String apiBaseUrl) {
        URI uri = URI.create(apiBaseUrl);
        String origin = uri.getScheme() + "://" + uri.getRawAuthority();
        return new ReportData.Links(origin + "/swagger-ui.html", origin + "/actuator/prometheus");
    }

    private static String text(JsonNode value) {
        return value.isString() ? value.asString() : null;
    }

    private static Double number(JsonNode value) {
        return value.isNumber() ? value.asDouble() : null;
    }

    private static Long longOrNull(JsonNode value) {
        return value.isNumber() ? value.asLong() : null;
    }

    private static String seg(String id) {
        return query(id).replace("+", "%20");
    }

    private static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
