package org.iterpref.common.pair;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of a text: its content without the terminator, and where it lies in code points,
 * {@code end} including the terminator ({@code \n} or {@code \r\n}).
 */
record Line(String content, int start, int end) {

    /**
     * The lines of {@code text}. Only {@code \n} ends a line, together with a {@code \r} just
     * before it; a lone {@code \r} is content. A final line without a terminator ends at the end
     * of the text; a text ending in a terminator has no empty line after it, and the empty text
     * has no lines.
     */
    static List<Line> split(String text) {
        List<Line> lines = new ArrayList<>();
        int lineStartUnit = 0;
        int lineStartPoint = 0;
        int point = 0;
        for (int unit = 0; unit < text.length(); unit++) {
            char c = text.charAt(unit);
            if (Character.isLowSurrogate(c) && unit > 0 && Character.isHighSurrogate(text.charAt(unit - 1))) {
                continue;
            }
            point++;
            if (c == '\n') {
                int contentEnd = unit > lineStartUnit && text.charAt(unit - 1) == '\r' ? unit - 1 : unit;
                lines.add(new Line(text.substring(lineStartUnit, contentEnd), lineStartPoint, point));
                lineStartUnit = unit + 1;
                lineStartPoint = point;
            }
        }
        if (lineStartUnit < text.length()) {
            lines.add(new Line(text.substring(lineStartUnit), lineStartPoint, point));
        }
        return lines;
    }
}
