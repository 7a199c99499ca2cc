package org.iterpref.cli.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * report.html drawn by headless Chromium (Debian's {@code chromium}): the page as written is
 * screenshotted, and a copy with a measuring script (the page itself has none, and its policy forbids
 * scripts) tells where the chart lines, the error region's lines and the focal tokens were laid out;
 * the screenshot's pixels there must have their colours. Without chromium: fails on CI (env CI, which
 * installs it with scripts/bootstrap.sh), skipped elsewhere.
 */
class ReportInChromiumTest {

    static final int WIDTH = 1400;
    static final int HEIGHT = 2400;

    /** Writes where things are into {@code <pre id="measurements">}, as JSON, in page coordinates. */
    static final String MEASURE = """
            <script>(function () {
              function r(e) { var b = e.getBoundingClientRect();
                return {x: b.left + scrollX, y: b.top + scrollY, w: b.width, h: b.height}; }
              var m = {viewport: {w: innerWidth, h: innerHeight}, page: document.documentElement.scrollHeight,
                       charts: {}, region: [], plain: [], focal: [], code: null};
              document.querySelectorAll('svg.chart').forEach(function (s) {
                var line = s.querySelector('polyline.train'), box = line ? line.getBBox() : null;
                m.charts[s.id] = {bbox: box ? {w: box.width, h: box.height} : null, line: line ? r(line) : null,
                                  points: [].map.call(s.querySelectorAll('circle.eval'), r)};
              });
              var rejected = document.querySelector('.rejected pre.code');
              m.code = r(rejected);
              rejected.querySelectorAll('.line').forEach(function (l) {
                var b = r(l); b.line = +l.dataset.line;
                (l.classList.contains('region') ? m.region : m.plain).push(b);
              });
              rejected.querySelectorAll('.focal').forEach(function (f) { m.focal.push(r(f)); });
              var out = document.createElement('pre'); out.id = 'measurements';
              out.textContent = JSON.stringify(m); document.body.appendChild(out);
            })();</script>""";

    @Test
    void chromiumDrawsTheThreeChartsTheErrorRegionAndTheFocalTokens(@TempDir Path dir) throws Exception {
        HeadlessChromium chromium = new HeadlessChromium(chromium(), dir, WIDTH, HEIGHT);
        ReportData data = ReportFixtures.report();
        String html = ReportHtml.render(data);
        Path page = Files.writeString(dir.resolve("report.html"), html);
        Path measured = Files.writeString(dir.resolve("measured.html"), html
                .replaceFirst("<meta http-equiv=\"Content-Security-Policy\"[^>]*>", "")
                .replace("</body>", MEASURE + "</body>"));

        JsonNode m = measurements(chromium.dumpDom(measured));
        Path png = chromium.screenshot(page);
        keep(page, png);
        BufferedImage shot = ImageIO.read(png.toFile());

        assertThat(shot.getWidth()).isEqualTo(m.path("viewport").path("w").asInt());
        assertThat(m.path("page").asInt()).as("the whole page is in the screenshot").isLessThanOrEqualTo(shot.getHeight());
        for (String id : List.of("chart-loss", "chart-margins", "chart-accuracies")) {
            JsonNode chart = m.path("charts").path(id);
            assertThat(chart.path("bbox").path("w").asDouble()).as(id + " line width").isGreaterThan(100);
            assertThat(chart.path("bbox").path("h").asDouble()).as(id + " line height").isGreaterThan(10);
            assertThat(count(shot, rect(chart.path("line"), 2), near(SvgChart.TRAIN_COLOUR, 40)))
                    .as(id + ": pixels of the training line's colour").isGreaterThan(100);
            assertThat(chart.path("points")).as(id + " eval points").hasSize(3);
            for (JsonNode point : chart.path("points")) {
                assertThat(count(shot, rect(point, 0), near(SvgChart.EVAL_COLOUR, 40))).as(id + " eval point").isGreaterThan(8);
            }
        }
        assertThat(m.path("region")).as("highlighted lines").hasSize(1);
        JsonNode region = m.path("region").get(0);
        assertThat(region.path("line").asInt()).isEqualTo(2);
        int[] area = rect(region, 0);
        assertThat(count(shot, area, near(ReportHtml.REGION_BACKGROUND, 0)))
                .as("the region's background fills most of its line").isGreaterThan(area[2] * area[3] / 3);
        assertThat(count(shot, rect(m.path("code"), 0), near(ReportHtml.REGION_BACKGROUND, 0)))
                .as("and is painted nowhere else in the rejected code")
                .isEqualTo(count(shot, inset(area, -1), near(ReportHtml.REGION_BACKGROUND, 0)));
        for (JsonNode plain : m.path("plain")) {
            // inset: a line's box may share a pixel row with the next one's
            assertThat(count(shot, inset(rect(plain, 0), 1), near(ReportHtml.REGION_BACKGROUND, 0)))
                    .as("line " + plain.path("line")).isZero();
        }
        assertThat(m.path("focal")).as("focal token marks").hasSize(data.example().mask().focalTokens());
        for (JsonNode token : m.path("focal")) {
            int[] box = rect(token, 0);
            assertThat(box[2] * box[3]).isPositive();
            assertThat(count(shot, box, near(ReportHtml.FOCAL_BACKGROUND, 0))).as("a focal token's mark")
                    .isGreaterThan(box[2] * box[3] / 4);
            assertThat(box[1]).as("focal tokens sit on the region's line").isBetween(area[1] - 1, area[1] + area[3]);
        }
    }

    /** The page and its screenshot under target/, to look at after a run (and for CI artifacts). */
    private static void keep(Path page, Path png) throws IOException {
        Path kept = Files.createDirectories(Path.of("target", "report-in-chromium"));
        Files.copy(page, kept.resolve("report.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(png, kept.resolve("screenshot.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static Path chromium() {
        return HeadlessChromium.find().orElseGet(() -> {
            String message = "Debian's chromium is not installed (apt-get install chromium, or scripts/bootstrap.sh): "
                    + "report.html cannot be drawn";
            if (System.getenv("CI") != null) {
                fail(message + " on CI");
            }
            Assumptions.abort(message + "; skipped (CI fails instead)");
            return null;
        });
    }

    private static JsonNode measurements(String dom) {
        Matcher m = Pattern.compile("<pre id=\"measurements\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertThat(m.find()).as("the measuring script ran").isTrue();
        return JsonMapper.builder().build().readTree(m.group(1).replace("&quot;", "\"").replace("&amp;", "&"));
    }

    /** {x, y, w, h} in whole pixels, grown by {@code grow} on every side. */
    private static int[] rect(JsonNode r, int grow) {
        int x = (int) Math.floor(r.path("x").asDouble()) - grow;
        int y = (int) Math.floor(r.path("y").asDouble()) - grow;
        int right = (int) Math.ceil(r.path("x").asDouble() + r.path("w").asDouble()) + grow;
        int bottom = (int) Math.ceil(r.path("y").asDouble() + r.path("h").asDouble()) + grow;
        return new int[] {x, y, right - x, bottom - y};
    }

    private static int[] inset(int[] r, int by) {
        return new int[] {r[0] + by, r[1] + by, r[2] - 2 * by, r[3] - 2 * by};
    }

    private static int count(BufferedImage image, int[] r, IntPredicate colour) {
        int n = 0;
        for (int y = Math.max(0, r[1]); y < Math.min(image.getHeight(), r[1] + r[3]); y++) {
            for (int x = Math.max(0, r[0]); x < Math.min(image.getWidth(), r[0] + r[2]); x++) {
                if (colour.test(image.getRGB(x, y))) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Within {@code tolerance} of {@code hex} on each channel. */
    private static IntPredicate near(String hex, int tolerance) {
        int want = Integer.parseInt(hex.substring(1), 16);
        return rgb -> {
            for (int shift = 0; shift <= 16; shift += 8) {
                if (Math.abs(((rgb >> shift) & 0xff) - ((want >> shift) & 0xff)) > tolerance) {
                    return false;
                }
            }
            return true;
        };
    }
}
