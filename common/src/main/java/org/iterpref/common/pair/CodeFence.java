package org.iterpref.common.pair;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the code in a model's reply — the one rule for the whole platform: the generator takes
 * the code to run from a model's answer with it, and the error region of a preference pair is
 * computed between the codes it finds in the two completions.
 *
 * <ol>
 *   <li><b>Reasoning is not the answer.</b> Every {@code <think>...</think>} block, an unclosed
 *       {@code <think>} to the end of the reply, and everything before a {@code </think>} whose
 *       opening tag the server left out are skipped (any case).</li>
 *   <li><b>Fences.</b> A fenced block opens with a line of three or more backticks or tildes, after
 *       any indentation; the rest of that line is the info string, whose first word is the
 *       language ({@code python}), and which for a backtick fence must not contain a backtick (so
 *       a prose line mentioning {@code ```python}, or {@code ```x```}, is not a fence). The block
 *       closes at the next line made only of the same character, at least as many of them, with
 *       any indentation and trailing spaces or tabs. An unclosed block (a truncated reply) runs to
 *       the end.</li>
 *   <li><b>Which block.</b> The last non-blank block tagged {@code python}, {@code py} or
 *       {@code python3} (any case); else the last non-blank untagged block; else the last non-blank
 *       block in any language; else, when every block is blank, the last block (no code). A reply
 *       without fences is all code (without its reasoning).</li>
 * </ol>
 * The last block wins because a model that corrects itself, or shows a first try, puts its final
 * answer last; python beats untagged because an untagged block after the code is usually example
 * output, and untagged beats other languages because a {@code bash} block is how to run it.
 *
 * <p>{@link #extract} gives the block raw — indentation and line terminators as in the reply —
 * with where it starts in code points, so every offset in it maps back into the reply;
 * {@link #code} gives it ready to run: line endings as {@code \n}, the opening fence's
 * indentation removed, leading blank lines and trailing whitespace dropped.
 */
public final class CodeFence {

    private static final Pattern THINK_BLOCK =
            Pattern.compile("<think>.*?(?:</think>|\\z)", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    private static final Pattern THINK_CLOSE = Pattern.compile("</think>", Pattern.CASE_INSENSITIVE);
    private static final Set<String> PYTHON = Set.of("python", "py", "python3");

    /**
     * Code found in a reply.
     *
     * @param text   the code, each line with its terminator as in the reply
     * @param offset code points of the reply before the code
     * @param fenced whether the code came from a fenced block
     */
    public record Code(String text, int offset, boolean fenced) {
    }

    /** A fenced block: its content's code-point range in the reply, the fence's indentation, the language. */
    private record Block(int start, int end, int indent, String language, boolean blank) {
    }

    private record Fence(char character, int length, int indent, String language) {
    }

    private CodeFence() {
    }

    /** The code of {@code completion} by the rule above, raw, with its offset. */
    public static Code extract(String completion) {
        Scan scan = Scan.of(completion);
        Optional<Block> block = choose(scan.blocks);
        if (block.isPresent()) {
            Block b = block.get();
            return new Code(codePoints(completion, b.start(), b.end()), b.start(), true);
        }
        return scan.unfenced();
    }

    /** The code of {@code completion} without the fence around it (see {@link #extract}). */
    public static String stripFence(String completion) {
        return extract(completion).text();
    }

    /**
     * The code of a model's {@code reply}, ready to run (see the class comment); empty when the
     * reply is {@code null}, only reasoning, or only blank blocks.
     */
    public static String code(String reply) {
        if (reply == null) {
            return "";
        }
        Scan scan = Scan.of(reply);
        Optional<Block> block = choose(scan.blocks);
        if (block.isEmpty()) {
            return lineFeeds(scan.unfenced().text()).strip();
        }
        String raw = lineFeeds(codePoints(reply, block.get().start(), block.get().end()));
        StringBuilder out = new StringBuilder(raw.length());
        for (String line : raw.split("\n", -1)) {
            out.append(unindent(line, block.get().indent())).append('\n');
        }
        return tidy(out.toString());
    }

    private static Optional<Block> choose(List<Block> blocks) {
        Optional<Block> python = last(blocks, b -> PYTHON.contains(b.language()));
        if (python.isPresent()) {
            return python;
        }
        Optional<Block> untagged = last(blocks, b -> b.language().isEmpty());
        if (untagged.isPresent()) {
            return untagged;
        }
        Optional<Block> any = last(blocks, b -> true);
        return any.isPresent() || blocks.isEmpty() ? any : Optional.of(blocks.get(blocks.size() - 1));
    }

    private static Optional<Block> last(List<Block> blocks, java.util.function.Predicate<Block> wanted) {
        for (int i = blocks.size() - 1; i >= 0; i--) {
            if (!blocks.get(i).blank() && wanted.test(blocks.get(i))) {
                return Optional.of(blocks.get(i));
            }
        }
        return Optional.empty();
    }

    /** A reply, which of its code points are reasoning, the reply with those masked (spaces, line feeds kept), its blocks. */
    private static final class Scan {

        private final String text;
        private final boolean[] hidden;
        private final String masked;
        private final boolean anyHidden;
        private final List<Block> blocks = new ArrayList<>();

        private Scan(String text, boolean[] hidden) {
            this.text = text;
            this.hidden = hidden;
            this.masked = mask(text, hidden);
            boolean any = false;
            for (boolean h : hidden) {
                any |= h;
            }
            this.anyHidden = any;
        }

        static Scan of(String text) {
            Scan scan = new Scan(text, hidden(text, reasoning(text)));
            scan.findBlocks();
            return scan;
        }

        private void findBlocks() {
            List<Line> lines = Line.split(masked);
            int i = 0;
            while (i < lines.size()) {
                Optional<Fence> fence = opening(lines.get(i).content());
                if (fence.isEmpty()) {
                    i++;
                    continue;
                }
                int start = lines.get(i).end();
                int end = lines.get(lines.size() - 1).end();
                int j = i + 1;
                while (j < lines.size() && !closes(lines.get(j).content(), fence.get())) {
                    j++;
                }
                if (j < lines.size()) {
                    end = lines.get(j).start();
                }
                boolean blank = codePoints(masked, start, end).isBlank();
                blocks.add(new Block(start, end, fence.get().indent(), fence.get().language(), blank));
                i = j + 1;
            }
        }

        /** No fences: the reply, or its last non-blank stretch outside reasoning when it has any. */
        Code unfenced() {
            if (!anyHidden) {
                return new Code(text, 0, false);
            }
            int end = hidden.length;
            while (end > 0) {
                while (end > 0 && hidden[end - 1]) {
                    end--;
                }
                int start = end;
                while (start > 0 && !hidden[start - 1]) {
                    start--;
                }
                String piece = codePoints(text, start, end);
                if (!piece.isBlank()) {
                    return new Code(piece, start, false);
                }
                end = start;
            }
            return new Code("", hidden.length, false);
        }
    }

    /** The reasoning in {@code text} as UTF-16 ranges {@code [start, end)}. */
    private static List<int[]> reasoning(String text) {
        List<int[]> ranges = new ArrayList<>();
        Matcher block = THINK_BLOCK.matcher(text);
        while (block.find()) {
            ranges.add(new int[] {block.start(), block.end()});
        }
        Matcher close = THINK_CLOSE.matcher(text);
        int orphanEnd = -1;
        while (close.find()) {
            int at = close.start();
            if (ranges.stream().noneMatch(r -> at >= r[0] && at < r[1])) {
                orphanEnd = close.end();
            }
        }
        if (orphanEnd >= 0) {
            ranges.add(new int[] {0, orphanEnd});
        }
        return ranges;
    }

    /** For each code point of {@code text}, whether it lies in one of the {@code ranges}. */
    private static boolean[] hidden(String text, List<int[]> ranges) {
        boolean[] hidden = new boolean[text.codePointCount(0, text.length())];
        int point = 0;
        for (int unit = 0; unit < text.length(); unit += Character.charCount(text.codePointAt(unit))) {
            int at = unit;
            hidden[point++] = ranges.stream().anyMatch(r -> at >= r[0] && at < r[1]);
        }
        return hidden;
    }

    private static String mask(String text, boolean[] hidden) {
        StringBuilder out = new StringBuilder(text.length());
        int point = 0;
        for (int unit = 0; unit < text.length(); point++) {
            int codePoint = text.codePointAt(unit);
            if (hidden[point]) {
                out.append(codePoint == '\n' ? '\n' : ' ');
            } else {
                out.appendCodePoint(codePoint);
            }
            unit += Character.charCount(codePoint);
        }
        return out.toString();
    }

    private static Optional<Fence> opening(String line) {
        int indent = indentation(line);
        if (indent == line.length()) {
            return Optional.empty();
        }
        char c = line.charAt(indent);
        int run = run(line, indent, c);
        if ((c != '`' && c != '~') || run < 3) {
            return Optional.empty();
        }
        String info = line.substring(indent + run).strip();
        if (c == '`' && info.indexOf('`') >= 0) {
            return Optional.empty();
        }
        String language = info.isEmpty() ? "" : info.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
        return Optional.of(new Fence(c, run, indent, language));
    }

    private static boolean closes(String line, Fence fence) {
        int indent = indentation(line);
        int run = run(line, indent, fence.character());
        return run >= fence.length()
                && line.substring(indent + run).chars().allMatch(ch -> ch == ' ' || ch == '\t');
    }

    private static int indentation(String line) {
        int i = 0;
        while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static int run(String line, int from, char c) {
        int i = from;
        while (i < line.length() && line.charAt(i) == c) {
            i++;
        }
        return i - from;
    }

    private static String unindent(String line, int indent) {
        int remove = 0;
        while (remove < indent && remove < line.length()
                && (line.charAt(remove) == ' ' || line.charAt(remove) == '\t')) {
            remove++;
        }
        return line.substring(remove);
    }

    private static String lineFeeds(String text) {
        return text.replace("\r\n", "\n").replace('\r', '\n');
    }

    private static String tidy(String content) {
        String trimmed = content.stripTrailing();
        int start = 0;
        while (start < trimmed.length() && trimmed.charAt(start) == '\n') {
            start++;
        }
        return trimmed.substring(start);
    }

    private static String codePoints(String text, int start, int end) {
        int from = text.offsetByCodePoints(0, start);
        return text.substring(from, text.offsetByCodePoints(from, end - start));
    }
}
