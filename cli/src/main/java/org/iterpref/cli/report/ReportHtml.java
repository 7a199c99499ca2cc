package org.iterpref.cli.report;

import java.util.List;
import java.util.function.Function;
import org.iterpref.cli.report.ReportData.Example;
import org.iterpref.cli.report.ReportData.Metrics;
import org.iterpref.cli.report.SvgChart.Point;

/**
 * The report as one self-contained HTML page: no script, no external resource (a Content Security
 * Policy says so to the browser), every text escaped. The figures of {@link ReportText} as tables,
 * three training curves as inline SVG, and an example pair with its error region and focal tokens.
 */
public final class ReportHtml {

    static final String REGION_BACKGROUND = "#ffe08a";
    static final String FOCAL_BACKGROUND = "#ff9e80";

    private static final String STYLE = """
            body{font-family:system-ui,sans-serif;margin:2em;max-width:84em;color:#222}
            table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
            td.n{text-align:right;font-variant-numeric:tabular-nums}
            .charts{display:flex;flex-wrap:wrap;gap:1em}.chart{border:1px solid #ddd;background:#fff}
            .chart .title{font-size:14px;font-weight:600}.chart .label{font-size:12px}
            .chart .tick{font-size:11px;fill:#444}.chart .empty{font-size:13px;fill:#888}
            .pair{display:grid;grid-template-columns:1fr 1fr;gap:1em}
            pre{background:#f6f8fa;padding:.8em;overflow:auto;font-size:13px;line-height:1.45}
            pre.code .line{display:block;min-height:1.45em}
            pre.code .ln{display:inline-block;width:3em;color:#8c959f;user-select:none}
            pre.code .region{background:%s}
            pre.code .focal{background:%s;border-bottom:2px solid #b3261e}
            .note{color:#9a6700}.legend-region{background:%s;padding:0 .3em}
            .legend-focal{background:%s;border-bottom:2px solid #b3261e;padding:0 .3em}"""
            .formatted(REGION_BACKGROUND, FOCAL_BACKGROUND, REGION_BACKGROUND, FOCAL_BACKGROUND);
    private static final String POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

    private ReportHtml() {
    }

    public static String render(ReportData d) {
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        h.append("<meta http-equiv=\"Content-Security-Policy\" content=\"").append(POLICY).append("\">");
        h.append("<title>IterPref report: run ").append(Html.esc(d.run().id())).append("</title><style>").append(STYLE)
                .append("</style></head><body>\n");
        h.append("<h1>IterPref report</h1>\n<p>Run <code>").append(Html.esc(d.run().id())).append("</code> on task set <b>")
                .append(Html.esc(d.run().taskSet())).append("</b> (").append(Html.esc(d.run().sourceType()))
                .append(d.run().synthetic() ? ", synthetic" : "").append(", ").append(Html.esc(d.run().status()))
                .append("); fine-tuning job <code>").append(Html.esc(d.training().jobId())).append("</code> (")
                .append(Html.esc(d.training().status())).append(") of <b>").append(Html.esc(d.training().baseModel()))
                .append("</b> into <b>").append(Html.esc(ReportText.orNa(d.training().fineTunedModel())))
                .append("</b>.</p>\n");
        h.append("<h2>Stages</h2>\n");
        table(h, ReportText.stages(d), "stages");
        h.append("<h2>Before and after fine-tuning</h2>\n");
        table(h, ReportText.beforeAfter(d), "before-after");
        h.append("<p>Before: evaluation <code>").append(Html.esc(d.before().id())).append("</code> of <b>")
                .append(Html.esc(d.before().model())).append("</b>; after: evaluation <code>")
                .append(Html.esc(d.after().id())).append("</code> of <b>").append(Html.esc(d.after().model()))
                .append("</b>. Held-out figures: the eval row at step 0 (before training) and the last one.</p>\n");
        charts(h, d.training());
        example(h, d.example());
        h.append("<h2>Links</h2>\n<ul><li><a href=\"").append(Html.esc(d.links().apiDocs()))
                .append("\">API documentation</a> (").append(Html.esc(d.links().apiDocs())).append(")</li><li><a href=\"")
                .append(Html.esc(d.links().metrics())).append("\">Metrics</a> (").append(Html.esc(d.links().metrics()))
                .append(")</li></ul>\n");
        return h.append("</body></html>\n").toString();
    }

    private static void charts(StringBuilder h, ReportData.Training t) {
        h.append("<h2>Training curves</h2>\n<div class=\"charts\">\n");
        h.append(chart(t, "chart-loss", "loss", "loss", Metrics::loss)).append('\n');
        h.append(chart(t, "chart-margins", "rewards/margins", "reward margin", Metrics::margin)).append('\n');
        h.append(chart(t, "chart-accuracies", "rewards/accuracies", "preference accuracy", Metrics::accuracy))
                .append("\n</div>\n<p>Line: training rows; points: eval rows on the held-out pairs (eval_ names).</p>\n");
    }

    private static String chart(ReportData.Training t, String id, String title, String yLabel,
                                Function<Metrics, Double> value) {
        return SvgChart.render(id, title, yLabel, points(t.train(), value), points(t.eval(), value));
    }

    private static List<Point> points(List<Metrics> rows, Function<Metrics, Double> value) {
        return rows.stream().filter(m -> value.apply(m) != null).map(m -> new Point(m.step(), value.apply(m))).toList();
    }

    private static void example(StringBuilder h, Example e) {
        h.append("<h2>An example pair</h2>\n");
        if (e == null) {
            h.append("<p class=\"note\">The run kept no pair with a non-empty error region.</p>\n");
            return;
        }
        h.append("<p>Pair ").append(e.pairId()).append(" of task <b>").append(Html.esc(e.task()))
                .append("</b> (the kept pair of ").append(Html.esc(e.source()))
                .append(" with an error region and the smallest task id, <code>")
                .append(Html.esc(e.taskId())).append("</code>). In the rejected code, <span class=\"legend-region\">")
                .append("the error region's lines</span>");
        if (e.mask() != null) {
            h.append(" and <span class=\"legend-focal\">the tokens that counted</span> (").append(e.mask().focalTokens())
                    .append(" of ").append(e.mask().totalTokens()).append(" tokens of ").append(Html.esc(e.mask().model()))
                    .append(")");
        }
        h.append(".</p>\n");
        if (e.mask() == null) {
            h.append("<p class=\"note\" id=\"mask-note\">Tokens not marked: ").append(Html.esc(e.maskNote()))
                    .append("</p>\n");
        }
        h.append("<h3>Prompt</h3>\n<pre class=\"prompt\">").append(Html.esc(e.prompt())).append("</pre>\n");
        h.append("<div class=\"pair\"><div class=\"chosen\"><h3>Chosen</h3>\n")
                .append(CodeView.render(e.chosen(), List.of(), null))
                .append("</div><div class=\"rejected\"><h3>Rejected</h3>\n")
                .append(CodeView.render(e.rejected(), e.spans(), e.mask())).append("</div></div>\n");
    }

    private static void table(StringBuilder h, List<List<String>> rows, String cls) {
        h.append("<table class=\"").append(cls).append("\"><tr>");
        rows.get(0).forEach(c -> h.append("<th>").append(Html.esc(c)).append("</th>"));
        h.append("</tr>\n");
        for (List<String> row : rows.subList(1, rows.size())) {
            h.append("<tr><th>").append(Html.esc(row.get(0))).append("</th>");
            for (int i = 1; i < row.size(); i++) {
                boolean text = cls.equals("stages") && i == row.size() - 1;
                h.append(text ? "<td>" : "<td class=\"n\">").append(Html.esc(row.get(i))).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }
}
