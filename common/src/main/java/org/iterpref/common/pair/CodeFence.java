package org.iterpref.common.pair;

import java.util.List;
import java.util.Optional;

/**
 * Finds the code in a model completion that wraps it in a markdown fenced code block, as in
 * <pre>
 * Here is the fix:
 * ```python
 * def f():
 *     return 1
 * ```
 * </pre>
 *
 * <p>A fence, after the CommonMark rules in a simplified form, is a line of at most three
 * spaces of indentation followed by at least three backticks or at least three tildes; what
 * follows on the opening line is the info string ({@code python}), which for a backtick fence
 * must not contain a backtick (so {@code ```x```} on one line is not a fence). The block closes
 * at the next line made of the same fence character, at least as many of them, with at most
 * three spaces before and only spaces or tabs after. An unclosed block (a truncated
 * completion) runs to the end of the text.
 *
 * <p>The code is the text from the start of the line after the opening fence to the start of
 * the closing fence line: raw, indentation kept, so every offset in it maps back into the
 * completion by adding {@link Code#offset()}. Only the first fenced block counts; a completion
 * without one is all code.
 */
public final class CodeFence {

    /**
     * Code found in a completion.
     *
     * @param text the code, each line with its terminator as in the completion
     * @param offset code points of the completion before the code
     * @param fenced whether the code came from a fenced block
     */
    public record Code(String text, int offset, boolean fenced) {
    }

    private record Fence(char character, int length) {
    }

    private CodeFence() {
    }

    /** The code of {@code completion}: its first fenced block, or all of it when it has none. */
    public static Code extract(String completion) {
        List<Line> lines = Line.split(completion);
        for (int i = 0; i < lines.size(); i++) {
            Optional<Fence> fence = opening(lines.get(i).content());
            if (fence.isPresent()) {
                int start = lines.get(i).end();
                int end = closingLineStart(lines, i + 1, fence.get()).orElse(lines.get(lines.size() - 1).end());
                return new Code(codePointSubstring(completion, start, end), start, true);
            }
        }
        return new Code(completion, 0, false);
    }

    /** The code of {@code completion} without the fence around it (see {@link #extract}). */
    public static String stripFence(String completion) {
        return extract(completion).text();
    }

    private static Optional<Fence> opening(String line) {
        int indent = indentation(line);
        if (indent > 3 || indent == line.length()) {
            return Optional.empty();
        }
        char c = line.charAt(indent);
        int run = run(line, indent, c);
        if ((c != '`' && c != '~') || run < 3) {
            return Optional.empty();
        }
        if (c == '`' && line.indexOf('`', indent + run) >= 0) {
            return Optional.empty();
        }
        return Optional.of(new Fence(c, run));
    }

    private static Optional<Integer> closingLineStart(List<Line> lines, int from, Fence fence) {
        for (int i = from; i < lines.size(); i++) {
            if (closes(lines.get(i).content(), fence)) {
                return Optional.of(lines.get(i).start());
            }
        }
        return Optional.empty();
    }

    private static boolean closes(String line, Fence fence) {
        int indent = indentation(line);
        if (indent > 3) {
            return false;
        }
        int run = run(line, indent, fence.character());
        return run >= fence.length()
                && line.substring(indent + run).chars().allMatch(ch -> ch == ' ' || ch == '\t');
    }

    private static int indentation(String line) {
        return run(line, 0, ' ');
    }

    private static int run(String line, int from, char c) {
        int i = from;
        while (i < line.length() && line.charAt(i) == c) {
            i++;
        }
        return i - from;
    }

    private static String codePointSubstring(String text, int start, int end) {
        int from = text.offsetByCodePoints(0, start);
        return text.substring(from, text.offsetByCodePoints(from, end - start));
    }
}
