package org.iterpref.generator.evaluation.report;

import static org.iterpref.generator.evaluation.report.JunitReport.number;

import java.util.Map;
import java.util.UUID;
import org.iterpref.generator.evaluation.EvaluationResult;
import org.iterpref.generator.evaluation.FailingSample;
import org.iterpref.generator.evaluation.TaskScore;

/** An evaluation as Markdown: summary, pass@k bars, the per-task table, and a failing sample. */
public final class MarkdownReport {

    static final int BAR_WIDTH = 20;

    private MarkdownReport() {
    }

    public static String render(EvaluationResult e, Map<UUID, FailingSample> failing) {
        StringBuilder md = new StringBuilder();
        md.append("# Evaluation ").append(e.id()).append("\n\n");
        md.append("| | |\n|---|---|\n");
        row(md, "status", e.status().name());
        row(md, "task set", e.taskSet() + " (" + e.tasks().size() + " tasks)");
        row(md, "source", e.sourceType());
        row(md, "model", e.model() + (e.reportedModels().isEmpty() ? ""
                : " (reported: " + String.join(", ", e.reportedModels()) + ")"));
        row(md, "samples per task", Integer.toString(e.samples()));
        row(md, "seed", Long.toString(e.seed()));
        if (e.durationMs() != null) {
            row(md, "duration", String.format(java.util.Locale.ROOT, "%.1f s", e.durationMs() / 1000.0));
        }
        if (e.gate() != null) {
            row(md, "gate", "**" + e.gate().verdict() + "** (" + e.gate().reason() + ")");
        }
        if (e.error() != null) {
            row(md, "error", e.error());
        }
        md.append("\n## pass@k\n\n| metric | value | |\n|---|---|---|\n");
        e.passAtK().forEach((metric, value) -> md.append("| ").append(metric).append(" | ")
                .append(value == null ? "n/a" : number(value)).append(" | `").append(bar(value)).append("` |\n"));
        md.append("\n## Tasks\n\n| task | n | passed | errored |");
        e.k().forEach(k -> md.append(" pass@").append(k).append(" |"));
        md.append("\n|---|---|---|---|");
        e.k().forEach(k -> md.append("---|"));
        md.append('\n');
        for (TaskScore t : e.tasks()) {
            md.append("| ").append(cell(t.externalId())).append(" | ").append(t.n()).append(" | ").append(t.c())
                    .append(" | ").append(t.errored()).append(" |");
            t.passAtK().values().forEach(v -> md.append(' ').append(v == null ? "n/a" : number(v)).append(" |"));
            md.append('\n');
        }
        FailingSample sample = failing.values().stream().findFirst().orElse(null);
        if (sample != null) {
            String task = e.tasks().stream().filter(t -> t.taskId().equals(sample.taskId())).map(TaskScore::externalId)
                    .findFirst().orElse(sample.taskId().toString());
            md.append("\n## A failing sample: ").append(cell(task)).append(" (sample ").append(sample.sample())
                    .append(", ").append(sample.verdict()).append(", ").append(sample.passed()).append(" of ")
                    .append(sample.total()).append(" tests passed)\n\n");
            md.append(fence(sample.code(), "python")).append("\nFeedback:\n\n").append(fence(sample.feedback(), "text"));
        }
        return md.toString();
    }

    static String bar(Double value) {
        int filled = value == null ? 0 : (int) Math.round(value * BAR_WIDTH);
        return "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled);
    }

    private static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(name).append(" | ").append(cell(value)).append(" |\n");
    }

    /** Table text: no cell break, no line break, and no HTML (renderers pass raw HTML through). */
    private static String cell(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
                .replace("\r", " ").replace("\n", " ");
    }

    /** A fence longer than any backtick run inside the text, so the text cannot close it. */
    private static String fence(String text, String language) {
        int longest = 0;
        int run = 0;
        for (char c : text.toCharArray()) {
            run = c == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        String ticks = "`".repeat(Math.max(3, longest + 1));
        return ticks + language + "\n" + text + (text.endsWith("\n") ? "" : "\n") + ticks + "\n";
    }
}
