package org.iterpref.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.iterpref.cli.report.ReportData.Span;
import org.iterpref.cli.report.SvgChart.Point;
import org.junit.jupiter.api.Test;

/** The renderers as pure functions of a {@link ReportData}: no service, no browser. */
class ReportRenderingTest {

    static final String HOSTILE = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>&amp;";

    @Test
    void everyTextFromTheServicesIsEscaped() {
        ReportData d = ReportFixtures.report();
        ReportData hostile = new ReportData(
                new ReportData.Run(HOSTILE, HOSTILE, HOSTILE, HOSTILE, true, HOSTILE, 1L, 1, 1, 0, 0, 0, 1),
                new ReportData.Pairs(1, 0, Map.of(HOSTILE, 1L), 1),
                new ReportData.Training(HOSTILE, HOSTILE, HOSTILE, HOSTILE, 1L, 1L, null, null, 1L,
                        d.training().train(), d.training().eval()),
                new ReportData.Evaluation(HOSTILE, HOSTILE, HOSTILE, 1, 0.5),
                new ReportData.Evaluation(HOSTILE, HOSTILE, HOSTILE, 1, 0.5),
                new ReportData.Example(1, HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE + "\n" + HOSTILE,
                        List.of(new Span(0, 5)), null, HOSTILE, HOSTILE),
                new ReportData.Links("http://h/swagger-ui.html\"><script>", "http://h/actuator/prometheus"));

        String html = ReportHtml.render(hostile);

        assertThat(html).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("<img")
                .doesNotContain("\"'>").contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;&lt;img")
                .contains("&amp;amp;");
        assertThat(html).as("the page forbids scripts and remote resources").contains(
                "Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"");
    }

    @Test
    void aChartWithOnePointHasFiniteAxesAndItsPointInsideThePlot() {
        String svg = SvgChart.render("c", "loss", "loss", List.of(new Point(3, 0.5)), List.of());

        assertThat(svg).doesNotContain("NaN").doesNotContain("Infinity").contains("<polyline class=\"train\"");
        assertThat(coordinates(svg)).allSatisfy(v -> assertThat(v).isBetween(0.0, (double) SvgChart.WIDTH));
    }

    @Test
    void aFlatEmptyOrNonFiniteSeriesStillDrawsNaNFreeAxes() {
        String flat = SvgChart.render("c", "acc", "acc", List.of(new Point(1, 0), new Point(2, 0)),
                List.of(new Point(0, 0)));
        String empty = SvgChart.render("c", "acc", "acc", List.of(), List.of());
        String nonFinite = SvgChart.render("c", "acc", "acc", List.of(new Point(1, Double.NaN),
                new Point(2, Double.POSITIVE_INFINITY), new Point(3, 1)), List.of(new Point(Double.NaN, 1)));

        for (String svg : List.of(flat, empty, nonFinite)) {
            assertThat(svg).doesNotContain("NaN").doesNotContain("Infinity").contains("class=\"axes\"");
        }
        assertThat(empty).contains("no data").doesNotContain("<polyline");
        assertThat(nonFinite).doesNotContain("<circle class=\"eval\"");
    }

    @Test
    void seriesAreScaledOntoThePlotAreaWithTheYAxisUpwards() {
        String svg = SvgChart.render("c", "m", "m", List.of(new Point(0, 0), new Point(10, 1)),
                List.of(new Point(5, 0.5)));

        Matcher line = Pattern.compile("points=\"([^\"]+)\"").matcher(svg);
        assertThat(line.find()).isTrue();
        // steps 0 to 10 on whole ticks of 3: the axis ends at 12
        assertThat(line.group(1)).isEqualTo("64.0,214.0 347.3,30.0");
        assertThat(svg).contains("cx=\"205.7\" cy=\"122.0\"");
        assertThat(svg).contains(">12</text>").contains(">0.5</text>").contains(">0.25</text>").contains(">step</text>");
    }

    @Test
    void theErrorRegionHighlightsExactlyTheSpannedLinesCountingCodePoints() {
        // an emoji (two Java chars, one code point) before the region: spans count code points
        String code = "a = '\uD83D\uDE00'\nb = 1\nc = 2\nd = 3\n";
        int lineTwo = "a = '\uD83D\uDE00'\n".codePointCount(0, "a = '\uD83D\uDE00'\n".length());
        Span lineTwoWithBreak = new Span(lineTwo, lineTwo + "b = 1\n".length());

        assertThat(CodeView.regionLines(code, List.of(lineTwoWithBreak))).containsExactly(2);
        assertThat(CodeView.regionLines(code, List.of(new Span(lineTwo + 2, lineTwo + 9)))).containsExactly(2, 3);
        assertThat(CodeView.regionLines(code, List.of(new Span(lineTwo, lineTwo)))).containsExactly(2);
        String html = CodeView.render(code, List.of(lineTwoWithBreak), null);
        assertThat(html).contains("<span class=\"line region\" data-line=\"2\">").doesNotContain("data-line=\"5\"");
        assertThat(Pattern.compile("class=\"line region\"").matcher(html).results().count()).isEqualTo(1);
    }

    @Test
    void focalTokensAreMarkedAndTheirTextKept() {
        ReportData.FocalMask mask = ReportFixtures.mask(ReportFixtures.REJECTED, ReportFixtures.REGION);
        String html = CodeView.render(ReportFixtures.REJECTED, List.of(ReportFixtures.REGION), mask);

        assertThat(html).contains("<span class=\"focal\">total</span> <span class=\"focal\">=</span> "
                + "<span class=\"focal\">1</span>");
        assertThat(Pattern.compile("class=\"focal\"").matcher(html).results().count())
                .isEqualTo(mask.focalTokens());
        assertThat(html.replaceAll("<[^>]+>", "")).contains("def add_all(xs):");
    }

    @Test
    void withoutAFocalMaskThePageSaysWhy() {
        String html = ReportHtml.render(ReportFixtures.report(null, "the trainer has no focal_mask endpoint"));

        assertThat(html).contains("id=\"mask-note\"").contains("the trainer has no focal_mask endpoint")
                .contains("class=\"line region\"").doesNotContain("class=\"focal\"");
    }

    @Test
    void theTextSummaryHasTheStagesAndBeforeAfterFromTheStepZeroAndLastEvalRows() {
        StringWriter out = new StringWriter();
        ReportText.print(ReportFixtures.report(), new PrintWriter(out));

        assertThat(out.toString()).contains("run run-1 on task set examples: COMPLETED, source bug-injection (synthetic)")
                .containsPattern("tasks +20 +in task set examples")
                .containsPattern("trajectories +20 +18 passed, 2 failed, 0 errored, 0 cancelled")
                .containsPattern("iterations +57").containsPattern("pairs kept +18 +from 17 tasks")
                .containsPattern("pairs filtered +3 +WHOLE_PROGRAM 3")
                .containsPattern("training pairs +16\\n").containsPattern("validation pairs +2 +from 2 held-out tasks")
                .containsPattern("validation pairs +2").containsPattern("trained tokens +12345")
                .containsPattern("evaluated tasks +20 / 20")
                .containsPattern("pass@1 +0.2000 +0.6000 +\\+0.4000")
                .containsPattern("held-out preference accuracy +0.0000 +0.7500 +\\+0.7500")
                .containsPattern("held-out reward margin +0.0000 +0.4800 +\\+0.4800")
                .contains("fine-tuned model ft:tiny-qwen2:examples:ftjob-1 (job ftjob-1 succeeded, base tiny-qwen2)");
    }

    private static List<Double> coordinates(String svg) {
        return Pattern.compile("(?:x1|x2|y1|y2|cx|cy|x|y)=\"(-?[0-9.]+)\"").matcher(svg).results()
                .map(m -> Double.parseDouble(m.group(1))).toList();
    }
}
