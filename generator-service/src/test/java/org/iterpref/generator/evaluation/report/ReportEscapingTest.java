package org.iterpref.generator.evaluation.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.iterpref.generator.evaluation.EvaluationResult;
import org.iterpref.generator.evaluation.EvaluationStatus;
import org.iterpref.generator.evaluation.FailingSample;
import org.iterpref.generator.evaluation.TaskScore;
import org.junit.jupiter.api.Test;

/** Task ids, code and feedback come from imports and models: no report lets them become markup. */
class ReportEscapingTest {

    static final String HOSTILE_ID = "t<img src=x onerror=alert(1)>|x\n# heading";
    static final String HOSTILE_CODE = "print('</code></pre><script>alert(1)</script>')\n````\nnot code";

    EvaluationResult evaluation(UUID task) {
        return new EvaluationResult(UUID.randomUUID(), UUID.randomUUID(), "set", "openai", "m<b>", List.of("m<b>"),
                EvaluationStatus.COMPLETED, 1, List.of(1), null, null, 0, new EvaluationResult.Progress(1, 0, 0, 0, 1, 0, 0),
                Map.of("pass@1", 0.0), null, null, List.of(new TaskScore(task, HOSTILE_ID, 1, 0, 0, Map.of("pass@1", 0.0))),
                Instant.now(), Instant.now(), 5L);
    }

    @Test
    void markdownKeepsTaskIdsInTheirCellAndCodeInsideItsFence() {
        UUID task = UUID.randomUUID();
        String md = MarkdownReport.render(evaluation(task), Map.of(task,
                new FailingSample(task, 0, HOSTILE_CODE, "FAILED", 0, 1, "```\\nfeedback")));
        assertThat(md).doesNotContain("<img").doesNotContain("\n# heading").contains("&lt;img");
        // the fence is longer than any backtick run in the code, so the code cannot close it
        assertThat(md).contains("`````python\n" + HOSTILE_CODE + "\n`````");
    }

    @Test
    void htmlEscapesEverythingFromTheEvaluation() {
        UUID task = UUID.randomUUID();
        String html = HtmlReport.render(evaluation(task), Map.of(task,
                new FailingSample(task, 0, HOSTILE_CODE, "FAILED", 0, 1, "<script>")));
        assertThat(html).doesNotContain("<script").doesNotContain("<img").doesNotContain("<b>");
    }

    @Test
    void junitXmlCarriesControlCharactersItCannotHold() {
        UUID task = UUID.randomUUID();
        String xml = JunitReport.render(evaluation(task), Map.of(task,
                new FailingSample(task, 0, "x = '\u0000\u0007'", "FAILED", 0, 1, "bell\u0007")));
        assertThat(xml).doesNotContain("\u0000").doesNotContain("\u0007").contains("\uFFFD");
    }
}
