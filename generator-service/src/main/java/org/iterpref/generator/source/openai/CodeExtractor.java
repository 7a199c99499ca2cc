package org.iterpref.generator.source.openai;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes the code out of a model's reply:
 * <ol>
 *   <li>line endings are normalised (CRLF, CR to LF) and reasoning is dropped: every
 *       {@code <think>...</think>} block, an unclosed {@code <think>} to the end, and everything
 *       before a {@code </think>} whose opening tag the server left out;</li>
 *   <li>fenced blocks are those opened by a line starting (after any indentation) with three or more
 *       backticks and an optional language, closed by a line of at least as many backticks and
 *       nothing but whitespace; an unterminated final block runs to the end of the reply; the
 *       opening fence's indentation is removed from the block's lines;</li>
 *   <li>the answer is the last non-blank block tagged {@code python}, {@code py}, {@code python3}
 *       (any case) or untagged; failing that, the last non-blank block in any language; failing
 *       that (no fences), the whole reply, stripped.</li>
 * </ol>
 */
public class CodeExtractor {

    private static final Pattern THINK_BLOCK =
            Pattern.compile("<think>.*?(?:</think>|\\z)", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    private static final Pattern THINK_CLOSE = Pattern.compile("</think>", Pattern.CASE_INSENSITIVE);
    private static final Pattern OPENING_FENCE = Pattern.compile("^([ \\t]*)(`{3,})\\s*([^`\\s]*)[^`]*$");
    private static final Set<String> PYTHON_TAGS = Set.of("", "python", "py", "python3");

    /** A fenced block: its language tag (lower case, empty when none) and its content. */
    record Block(String language, String content) {
    }

    /** The code in {@code reply}; empty when the reply is null or holds nothing but reasoning. */
    public String extract(String reply) {
        if (reply == null) {
            return "";
        }
        String text = withoutReasoning(reply.replace("\r\n", "\n").replace('\r', '\n'));
        List<Block> blocks = blocks(text);
        if (blocks.isEmpty()) {
            return text.strip();
        }
        String python = lastNonBlank(blocks, true);
        if (python != null) {
            return python;
        }
        String any = lastNonBlank(blocks, false);
        return any != null ? any : "";
    }

    static String withoutReasoning(String text) {
        String withoutBlocks = THINK_BLOCK.matcher(text).replaceAll("");
        Matcher close = THINK_CLOSE.matcher(withoutBlocks);
        int end = -1;
        while (close.find()) {
            end = close.end();
        }
        return end < 0 ? withoutBlocks : withoutBlocks.substring(end);
    }

    static List<Block> blocks(String text) {
        List<Block> blocks = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        int i = 0;
        while (i < lines.length) {
            Matcher open = OPENING_FENCE.matcher(lines[i]);
            if (!open.matches()) {
                i++;
                continue;
            }
            int indent = open.group(1).length();
            int ticks = open.group(2).length();
            StringBuilder content = new StringBuilder();
            i++;
            while (i < lines.length && !isClosingFence(lines[i], ticks)) {
                content.append(unindent(lines[i], indent)).append('\n');
                i++;
            }
            i++;
            blocks.add(new Block(open.group(3).toLowerCase(Locale.ROOT), tidy(content.toString())));
        }
        return blocks;
    }

    private static boolean isClosingFence(String line, int openingTicks) {
        String stripped = line.strip();
        return stripped.length() >= openingTicks && stripped.chars().allMatch(c -> c == '`');
    }

    private static String unindent(String line, int indent) {
        int remove = 0;
        while (remove < indent && remove < line.length()
                && (line.charAt(remove) == ' ' || line.charAt(remove) == '\t')) {
            remove++;
        }
        return line.substring(remove);
    }

    private static String tidy(String content) {
        String trimmed = content.stripTrailing();
        int start = 0;
        while (start < trimmed.length() && trimmed.charAt(start) == '\n') {
            start++;
        }
        return trimmed.substring(start);
    }

    private static String lastNonBlank(List<Block> blocks, boolean pythonOnly) {
        for (int i = blocks.size() - 1; i >= 0; i--) {
            Block block = blocks.get(i);
            if (!block.content().isBlank() && (!pythonOnly || PYTHON_TAGS.contains(block.language()))) {
                return block.content();
            }
        }
        return null;
    }
}
