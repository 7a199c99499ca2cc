package org.iterpref.generator.evaluation.report;

import static org.iterpref.generator.evaluation.report.JunitReport.number;

import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.iterpref.generator.evaluation.EvaluationResult;
import org.iterpref.generator.evaluation.FailingSample;
import org.iterpref.generator.evaluation.GateResult;
import org.iterpref.generator.evaluation.TaskScore;

/**
 * An evaluation as one self-contained HTML page (no script, no external resource): summary, pass@k
 * bars, the per-task table, and a failing sample's code with its feedback. Every text from the
 * evaluation (task ids, code, feedback, model names) is escaped.
 */
public final class HtmlReport {

    private static final String STYLE = """
            body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}
            table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
            .bar{background:#eee;width:20em;height:1em;display:inline-block;vertical-align:middle}
            .fill{background:#3a7;height:100%}
            .PASSED{color:#1a7f37;font-weight:bold}.FAILED{color:#cf222e;font-weight:bold}.PENDING{color:#9a6700}
            pre{background:#f6f8fa;padding:1em;overflow:auto}""";

    private HtmlReport() {
    }

    public static String render(EvaluationResult e, Map<UUID, FailingSample> failing) {
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        h.append("<title>Evaluation ").append(esc(e.id().toString())).append("</title><style>").append(STYLE)
                .append("</style></head><body>\n");
        h.append("<h1>Evaluation ").append(esc(e.id().toString())).append("</h1>\n<table>");
        row(h, "status", esc(e.status().name()));
        row(h, "task set", esc(e.taskSet()) + " (" + e.tasks().size() + " tasks)");
        row(h, "source", esc(e.sourceType()));
        row(h, "model", esc(e.model()) + (e.reportedModels().isEmpty() ? ""
                : " (reported: " + esc(String.join(", ", e.reportedModels())) + ")"));
        row(h, "samples per task", Integer.toString(e.samples()));
        row(h, "seed", Long.toString(e.seed()));
        if (e.durationMs() != null) {
            row(h, "duration", String.format(Locale.ROOT, "%.1f s", e.durationMs() / 1000.0));
        }
        GateResult gate = e.gate();
        if (gate != null) {
            row(h, "gate", "<span class=\"" + gate.verdict() + "\">" + gate.verdict() + "</span> "
                    + esc(gate.reason()));
        }
        if (e.error() != null) {
            row(h, "error", esc(e.error()));
        }
        h.append("</table>\n<h2>pass@k</h2>\n<table>");
        e.passAtK().forEach((metric, value) -> h.append("<tr><th>").append(esc(metric)).append("</th><td>")
                .append(value == null ? "n/a" : number(value)).append("</td><td><span class=\"bar\" role=\"img\" aria-label=\"")
                .append(esc(metric)).append("\"><span class=\"fill\" style=\"display:block;width:")
                .append(String.format(Locale.ROOT, "%.1f", value == null ? 0.0 : value * 100)).append("%\"></span></span></td></tr>"));
        h.append("</table>\n<h2>Tasks</h2>\n<table><tr><th>task</th><th>n</th><th>passed</th><th>errored</th>");
        e.k().forEach(k -> h.append("<th>pass@").append(k).append("</th>"));
        h.append("</tr>\n");
        for (TaskScore t : e.tasks()) {
            h.append("<tr><td>").append(esc(t.externalId())).append("</td><td>").append(t.n()).append("</td><td>")
                    .append(t.c()).append("</td><td>").append(t.errored()).append("</td>");
            t.passAtK().values().forEach(v -> h.append("<td>").append(v == null ? "n/a" : number(v)).append("</td>"));
            h.append("</tr>\n");
        }
        h.append("</table>\n");
        FailingSample sample = failing.values().stream().findFirst().orElse(null);
        if (sample != null) {
            String task = e.tasks().stream().filter(t -> t.taskId().equals(sample.taskId())).map(TaskScore::externalId)
                    .findFirst().orElse(sample.taskId().toString());
            h.append("<h2>A failing sample: ").append(esc(task)).append("</h2>\n<p>sample ").append(sample.sample())
                    .append(", ").append(esc(sample.verdict())).append(", ").append(sample.passed()).append(" of ")
                    .append(sample.total()).append(" tests passed</p>\n<pre><code>").append(esc(sample.code()))
                    .append("</code></pre>\n<h3>Feedback</h3>\n<pre>").append(esc(sample.feedback())).append("</pre>\n");
        }
        return h.append("</body></html>\n").toString();
    }

    private static void row(StringBuilder h, String name, String html) {
        h.append("<tr><th>").append(name).append("</th><td>").append(html).append("</td></tr>");
    }

    static String esc(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder s = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> s.append("&lt;");
                case '>' -> s.append("&gt;");
                case '&' -> s.append("&amp;");
                case '"' -> s.append("&quot;");
                case '\'' -> s.append("&#39;");
                default -> s.append(c);
            }
        }
        return s.toString();
    }
}
