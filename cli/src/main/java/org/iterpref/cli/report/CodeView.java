package org.iterpref.cli.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.iterpref.cli.report.ReportData.FocalMask;
import org.iterpref.cli.report.ReportData.Span;
import org.iterpref.cli.report.ReportData.Token;

/**
 * Code as numbered lines of HTML: the lines an error region touches get the class {@code region},
 * and the focal tokens (those focal DPO counts) are wrapped in {@code <span class="focal">}. Spans
 * and tokens are Unicode code-point offsets, as the platform counts them, not Java chars.
 */
final class CodeView {

    private CodeView() {
    }

    /** A line: 1-based number, {@code [start, end)} code points without its line break. */
    record Line(int number, int start, int end, boolean lastOfText) {
    }

    static List<Line> lines(int[] codePoints) {
        List<Line> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < codePoints.length; i++) {
            if (codePoints[i] == '\n') {
                lines.add(new Line(lines.size() + 1, start, i, false));
                start = i + 1;
            }
        }
        // text after the last line break; nothing after a final one is not a line
        if (start < codePoints.length || lines.isEmpty()) {
            lines.add(new Line(lines.size() + 1, start, codePoints.length, true));
        }
        return lines;
    }

    /**
     * The numbers of the lines that {@code spans} touch: a span covers a line when it overlaps the
     * line's characters or its line break; an empty span marks the line it sits on.
     */
    static Set<Integer> regionLines(String text, List<Span> spans) {
        int[] cps = text.codePoints().toArray();
        Set<Integer> numbers = new TreeSet<>();
        for (Line line : lines(cps)) {
            int end = line.lastOfText() ? line.end() : line.end() + 1;
            for (Span span : spans) {
                boolean touches = span.start() == span.end()
                        ? span.start() >= line.start() && (span.start() < end || line.lastOfText() && span.start() == end)
                        : span.start() < end && span.end() > line.start();
                if (touches) {
                    numbers.add(line.number());
                }
            }
        }
        return numbers;
    }

    static String render(String text, List<Span> spans, FocalMask mask) {
        String code = text == null ? "" : text;
        int[] cps = code.codePoints().toArray();
        int[] focalToken = focalTokens(cps.length, mask);
        Set<Integer> region = regionLines(code, spans);
        StringBuilder h = new StringBuilder("<pre class=\"code\"><code>");
        for (Line line : lines(cps)) {
            h.append("<span class=\"line").append(region.contains(line.number()) ? " region" : "")
                    .append("\" data-line=\"").append(line.number()).append("\"><span class=\"ln\">")
                    .append(line.number()).append("</span>");
            int i = line.start();
            while (i < line.end()) {
                int owner = focalToken[i];
                int j = i;
                while (j < line.end() && focalToken[j] == owner) {
                    j++;
                }
                String piece = Html.esc(new String(cps, i, j - i));
                h.append(owner < 0 ? piece : "<span class=\"focal\">" + piece + "</span>");
                i = j;
            }
            h.append("</span>");
        }
        return h.append("</code></pre>").toString();
    }

    /** For each code point, the index of the focal token covering it, or -1. */
    private static int[] focalTokens(int length, FocalMask mask) {
        int[] owner = new int[length];
        java.util.Arrays.fill(owner, -1);
        if (mask == null) {
            return owner;
        }
        List<Token> tokens = mask.tokens();
        for (int t = 0; t < tokens.size(); t++) {
            Token token = tokens.get(t);
            if (token.focal()) {
                for (int i = Math.max(0, token.start()); i < Math.min(length, token.end()); i++) {
                    owner[i] = t;
                }
            }
        }
        return owner;
    }
}
