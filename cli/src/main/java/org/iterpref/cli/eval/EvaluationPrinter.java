package org.iterpref.cli.eval;

import java.io.PrintWriter;
import org.iterpref.cli.TextTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/** Plain-text tables of an evaluation and of a comparison, for a terminal or a CI log. */
final class EvaluationPrinter {

    private EvaluationPrinter() {
    }

    static void summary(JsonNode e, PrintWriter out) {
        out.printf("evaluation %s: %s, task set %s, source %s, model %s%s%n", e.path("id").asString(),
                e.path("status").asString(), e.path("taskSet").asString(), e.path("sourceType").asString(),
                e.path("model").asString(), reported(e));
        List<String> metrics = new ArrayList<>();
        e.path("passAtK").propertyNames().forEach(metrics::add);
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("task", "n", "passed", "errored"));
        header.addAll(metrics);
        rows.add(header);
        for (JsonNode t : e.path("tasks")) {
            List<String> row = new ArrayList<>(List.of(t.path("externalId").asString(), t.path("n").asString(),
                    t.path("c").asString(), t.path("errored").asString()));
            metrics.forEach(m -> row.add(number(t.path("passAtK").path(m))));
            rows.add(row);
        }
        List<String> overall = new ArrayList<>(List.of("overall", "", "", ""));
        metrics.forEach(m -> overall.add(number(e.path("passAtK").path(m))));
        rows.add(overall);
        TextTable.print(rows, false, out);
        JsonNode gate = e.path("gate");
        if (gate.isObject()) {
            out.printf("gate %s>=%s: %s (%s)%n", gate.path("metric").asString(), number(gate.path("min")),
                    gate.path("verdict").asString(), gate.path("reason").asString());
        }
        if (e.hasNonNull("error")) {
            out.println("error: " + e.path("error").asString());
        }
        out.flush();
    }

    static void comparison(JsonNode c, PrintWriter out) {
        out.printf("comparison on %s: base %s, candidate %s%n", c.path("metric").asString(), c.path("base").asString(),
                c.path("candidate").asString());
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("task", "base", "candidate", "delta"));
        for (JsonNode t : c.path("tasks")) {
            rows.add(List.of(t.path("externalId").asString(), number(t.path("base")), number(t.path("candidate")),
                    signed(t.path("delta").asDouble())));
        }
        rows.add(List.of("overall", number(c.path("baseValue")), number(c.path("candidateValue")),
                signed(c.path("delta").asDouble())));
        TextTable.print(rows, false, out);
        JsonNode ci = c.path("interval");
        out.printf(Locale.ROOT, "delta %s, %.0f%% paired bootstrap interval [%s, %s] (%d resamples)%n",
                signed(c.path("delta").asDouble()), ci.path("level").asDouble() * 100, signed(ci.path("low").asDouble()),
                signed(ci.path("high").asDouble()), ci.path("resamples").asInt());
        out.println("fixed: " + names(c.path("fixed")));
        out.println("broken: " + names(c.path("broken")));
        out.flush();
    }

    private static String reported(JsonNode e) {
        List<String> models = new ArrayList<>();
        e.path("reportedModels").forEach(m -> models.add(m.asString()));
        return models.isEmpty() ? "" : " (reported: " + String.join(", ", models) + ")";
    }

    private static String names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.forEach(n -> names.add(n.asString()));
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    static String number(JsonNode value) {
        return value == null || value.isNull() || value.isMissingNode() ? "n/a"
                : String.format(Locale.ROOT, "%.4f", value.asDouble());
    }

    private static String signed(double value) {
        return String.format(Locale.ROOT, "%+.4f", value);
    }
}
