package org.iterpref.generator.source.buginjection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Python source as the mutation finders see it: the original text, the {@link PythonLexer masked}
 * text, a searchable text that also blanks the lines no mutation may touch ({@code def}/
 * {@code class} headers, decorators, docstrings and other string-only statements,
 * {@code if __name__ == ...}), and the logical lines (statements) with their indentation.
 */
final class PythonSource {

    private static final Pattern HEADER = Pattern.compile("^(?:async\\s+def|def|class)\\b|^@|^if\\s+__name__\\b");
    private static final Pattern STRING_ONLY = Pattern.compile("^[rRbBuUfF]{0,2}[\"'][\"'\\u0001\\s]*$");

    /** One statement: physical lines {@code firstLine..lastLine} (1-based), offsets of its text. */
    record LogicalLine(int firstLine, int lastLine, int start, int end, int indent, boolean header,
                       boolean stringOnly, String maskedText) {

        boolean singlePhysicalLine() {
            return firstLine == lastLine;
        }

        /** May a mutation touch this statement at all? */
        boolean mutable() {
            return !header && !stringOnly;
        }
    }

    private final String original;
    private final String masked;
    private final String searchable;
    private final int[] lineStarts;
    private final List<LogicalLine> logicalLines;

    private PythonSource(String original, String masked, String searchable, int[] lineStarts,
                         List<LogicalLine> logicalLines) {
        this.original = original;
        this.masked = masked;
        this.searchable = searchable;
        this.lineStarts = lineStarts;
        this.logicalLines = logicalLines;
    }

    static PythonSource parse(String code) {
        PythonLexer.Result lexed = PythonLexer.lex(code);
        int[] starts = lineStarts(code);
        List<LogicalLine> lines = logicalLines(code, lexed, starts);
        char[] searchable = lexed.masked().toCharArray();
        for (LogicalLine line : lines) {
            if (!line.mutable()) {
                for (int i = line.start(); i < line.end(); i++) {
                    if (searchable[i] != '\n') {
                        searchable[i] = PythonLexer.FILL;
                    }
                }
            }
        }
        return new PythonSource(code, lexed.masked(), new String(searchable), starts, List.copyOf(lines));
    }

    String original() {
        return original;
    }

    String masked() {
        return masked;
    }

    /** The masked text with every non-mutable statement blanked: what expression finders scan. */
    String searchable() {
        return searchable;
    }

    List<LogicalLine> logicalLines() {
        return logicalLines;
    }

    /** The 1-based line holding {@code offset}. */
    int lineOf(int offset) {
        int index = Arrays.binarySearch(lineStarts, offset);
        return (index >= 0 ? index : -index - 2) + 1;
    }

    private static int[] lineStarts(String code) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < code.length(); i++) {
            if (code.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    private static List<LogicalLine> logicalLines(String code, PythonLexer.Result lexed, int[] starts) {
        List<LogicalLine> lines = new ArrayList<>();
        String masked = lexed.masked();
        int line = 0;
        while (line < starts.length) {
            int last = line;
            while (last + 1 < starts.length && lexed.lineContinues().get(last + 1)) {
                last++;
            }
            int start = starts[line];
            int end = last + 1 < starts.length ? starts[last + 1] - 1 : code.length();
            String text = masked.substring(start, end);
            if (!text.isBlank() && !lexed.lineContinues().get(line)) {
                lines.add(logicalLine(line + 1, last + 1, start, end, text));
            }
            line = last + 1;
        }
        return lines;
    }

    private static LogicalLine logicalLine(int first, int last, int start, int end, String text) {
        String trimmed = text.strip();
        int indent = 0;
        while (indent < text.length() && (text.charAt(indent) == ' ' || text.charAt(indent) == '\t')) {
            indent++;
        }
        boolean header = HEADER.matcher(trimmed).find();
        boolean stringOnly = STRING_ONLY.matcher(trimmed).matches();
        return new LogicalLine(first, last, start, end, indent, header, stringOnly, trimmed);
    }
}
