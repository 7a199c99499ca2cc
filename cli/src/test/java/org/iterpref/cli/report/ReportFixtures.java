package org.iterpref.cli.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.iterpref.cli.report.ReportData.Metrics;
import org.iterpref.cli.report.ReportData.Span;
import org.iterpref.cli.report.ReportData.Token;

/** A report as the main job makes one: 12 training steps, eval rows at steps 0, 6 and 12, an example pair. */
final class ReportFixtures {

    static final String REJECTED = """
            def add_all(xs):
                total = 1
                for x in xs:
                    total += x
                return total
            """;
    /** Line 2 ({@code total = 1}) with its line break: the error region. */
    static final Span REGION = new Span(REJECTED.indexOf("    total = 1"), REJECTED.indexOf("    for"));

    private ReportFixtures() {
    }

    static ReportData report() {
        return report(mask(REJECTED, REGION), null);
    }

    static ReportData report(ReportData.FocalMask mask, String note) {
        List<Metrics> train = new ArrayList<>();
        for (int step = 1; step <= 12; step++) {
            train.add(new Metrics(step, 0.69 - 0.04 * step + 0.01 * (step % 3), 0.05 * step, Math.min(1.0, 0.4 + 0.05 * step)));
        }
        List<Metrics> eval = List.of(new Metrics(0, 0.6931, 0.0, 0.0), new Metrics(6, 0.52, 0.21, 0.5),
                new Metrics(12, 0.41, 0.48, 0.75));
        return new ReportData(
                new ReportData.Run("run-1", "examples", "bug-injection", null, true, "COMPLETED", 20L, 20, 18, 2, 0, 0, 57),
                new ReportData.Pairs(18, 0, Map.of("WHOLE_PROGRAM", 3L), 17),
                new ReportData.Training("ftjob-1", "succeeded", "tiny-qwen2", "ft:tiny-qwen2:examples:ftjob-1", 16L, 2L,
                        null, 2L, 12345L, train, eval),
                new ReportData.Evaluation("eval-before", "tiny-qwen2", "COMPLETED", 20, 0.2),
                new ReportData.Evaluation("eval-after", "ft:tiny-qwen2:examples:ftjob-1", "COMPLETED", 20, 0.6),
                new ReportData.Example(42, "0b7c-task", "examples/add_all", "Write add_all(xs): the sum of xs.",
                        REJECTED.replace("total = 1", "total = 0"), REJECTED, List.of(REGION), mask, note, "the run"),
                new ReportData.Links("http://127.0.0.1:8080/swagger-ui.html", "http://127.0.0.1:8080/actuator/prometheus"));
    }

    /**
     * Whitespace-separated words as tokens (a stand-in for the trainer's tokenizer), focal where
     * they overlap a span, as the trainer decides.
     */
    static ReportData.FocalMask mask(String text, Span... spans) {
        List<Token> tokens = new ArrayList<>();
        int[] cps = text.codePoints().toArray();
        int i = 0;
        while (i < cps.length) {
            int j = i + 1;
            boolean space = Character.isWhitespace(cps[i]);
            while (j < cps.length && Character.isWhitespace(cps[j]) == space) {
                j++;
            }
            int start = i;
            int end = j;
            boolean focal = !space && List.of(spans).stream().anyMatch(s -> s.start() < end && s.end() > start);
            tokens.add(new Token(new String(cps, i, j - i), i, j, focal));
            i = j;
        }
        int focal = (int) tokens.stream().filter(Token::focal).count();
        return new ReportData.FocalMask("tiny-qwen2", tokens, focal, tokens.size());
    }
}
