package org.iterpref.cli.report;

import java.io.PrintWriter;
import org.iterpref.cli.TextTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.iterpref.cli.report.ReportData.Metrics;

/** The report as plain text, for a terminal or a CI log: counts per stage, then before → after. */
final class ReportText {

    private ReportText() {
    }

    static void print(ReportData d, PrintWriter out) {
        ReportData.Run run = d.run();
        ReportData.Training t = d.training();
        out.printf("run %s on task set %s: %s, source %s%s%n", run.id(), run.taskSet(), run.status(), run.sourceType(),
                run.synthetic() ? " (synthetic)" : "");
        TextTable.print(stages(d), true, out);
        out.println();
        TextTable.print(beforeAfter(d), false, out);
        out.printf("fine-tuned model %s (job %s %s, base %s)%n", orNa(t.fineTunedModel()), t.jobId(), t.status(),
                t.baseModel());
        out.flush();
    }

    static List<List<String>> stages(ReportData d) {
        ReportData.Run run = d.run();
        ReportData.Pairs p = d.pairs();
        ReportData.Training t = d.training();
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("stage", "count", "detail"));
        rows.add(List.of("tasks", count(run.tasks()), "in task set " + run.taskSet()));
        rows.add(List.of("trajectories", Integer.toString(run.trajectories()), String.format(Locale.ROOT,
                "%d passed, %d failed, %d errored, %d cancelled", run.passed(), run.failed(), run.errored(),
                run.cancelled())));
        rows.add(List.of("iterations", Long.toString(run.iterations()), ""));
        rows.add(List.of("pairs kept", Long.toString(p.kept()), "from " + p.tasks() + " tasks"
                + (p.alreadyStored() > 0 ? ", " + p.alreadyStored() + " already stored by earlier runs" : "")));
        rows.add(List.of("pairs filtered", Long.toString(p.filteredTotal()), reasons(p.filtered())));
        rows.add(List.of("training pairs", count(t.trainingPairs()),
                t.trainingTasks() == null ? "" : "from " + t.trainingTasks() + " tasks"));
        rows.add(List.of("validation pairs", count(t.validationPairs()), t.validationTasks() == null
                ? "held out pair by pair (no task ids)" : "from " + t.validationTasks() + " held-out tasks"));
        rows.add(List.of("trained tokens", count(t.trainedTokens()), ""));
        rows.add(List.of("evaluated tasks", d.before().tasks() + " / " + d.after().tasks(), "base / fine-tuned"));
        return rows;
    }

    static List<List<String>> beforeAfter(ReportData d) {
        ReportData.Training t = d.training();
        Metrics first = t.firstEval();
        Metrics last = t.lastEval();
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("", "before", "after", "delta"));
        rows.add(change("pass@1", d.before().passAt1(), d.after().passAt1()));
        rows.add(change("held-out preference accuracy", first == null ? null : first.accuracy(),
                last == null ? null : last.accuracy()));
        rows.add(change("held-out reward margin", first == null ? null : first.margin(),
                last == null ? null : last.margin()));
        return rows;
    }

    private static List<String> change(String name, Double before, Double after) {
        return List.of(name, number(before), number(after),
                before == null || after == null ? "n/a" : String.format(Locale.ROOT, "%+.4f", after - before));
    }

    private static String reasons(Map<String, Long> filtered) {
        List<String> parts = new ArrayList<>();
        filtered.forEach((reason, n) -> parts.add(reason + " " + n));
        return String.join(", ", parts);
    }

    static String count(Long value) {
        return value == null ? "n/a" : Long.toString(value);
    }

    static String number(Double value) {
        return value == null || !Double.isFinite(value) ? "n/a" : String.format(Locale.ROOT, "%.4f", value);
    }

    static String orNa(String text) {
        return text == null || text.isEmpty() ? "n/a" : text;
    }
}
