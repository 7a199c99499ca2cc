package org.iterpref.common.pair;

import com.github.difflib.DiffUtils;
import com.github.difflib.algorithm.myers.MyersDiff;
import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.Chunk;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the error region of a preference pair: where the rejected (failing) code differs from
 * the chosen (final, passing) code.
 *
 * <p>The rule, which reproduces the {@code error_spans} of the worked pairs in the shared DPO
 * fixture:
 * <ol>
 *   <li>Both texts are split into lines ({@code \n} or {@code \r\n} ends a line, see below) and
 *       the line lists are diffed with java-diff-utils' Myers algorithm (pinned here rather than
 *       taken from {@code DiffUtils}' global default, so results cannot drift).</li>
 *   <li>A rejected line is marked when a delta replaces it ({@code CHANGE}) or removes it
 *       ({@code DELETE}). A delta that only inserts lines ({@code INSERT}) marks the rejected
 *       line just before the insertion point, or the first line when the insertion is at the
 *       top: the code that ran on without the missing line.</li>
 *   <li>Every run of consecutive marked lines becomes one span, from the start of its first
 *       line to the end of its last line including that line's terminator; a last line without
 *       a terminator ends at the end of the text. Lines marked by different deltas merge when
 *       they touch (an insertion right after a changed line adds nothing), and spans separated
 *       by at least one unmarked line stay separate. Spans come out sorted.</li>
 *   <li>Offsets count Unicode code points (Python string indices), not UTF-16 units.</li>
 * </ol>
 *
 * <p>Lines compare by their exact content without the terminator: a line ending in
 * {@code \r\n} equals the same line ending in {@code \n}, and a missing newline at the end of
 * the text is no change. Any other difference, whitespace included, is. A lone {@code \r} is
 * content, not a terminator.
 *
 * <p>Edge cases: identical code, and an empty rejected text (nothing to point at), give an
 * empty region; an empty chosen text (everything deleted) gives the whole rejected text.
 *
 * <p>Instances are stateless and thread-safe.
 */
public final class ErrorRegionFinder {

    /**
     * The error region of {@code rejected}, the code itself (no markdown fence around it), in
     * code points of {@code rejected}.
     */
    public ErrorRegion find(String rejected, String chosen) {
        List<Line> rejectedLines = Line.split(rejected);
        if (rejectedLines.isEmpty()) {
            return ErrorRegion.none(0);
        }
        boolean[] marked = markedLines(rejectedLines, Line.split(chosen));
        return toRegion(rejectedLines, marked);
    }

    /**
     * The error region of a rejected <em>completion</em> that may wrap its code in a markdown
     * fence, as TRL / Target-DPO completions often do. The code of each completion is
     * found by the platform's one rule for model replies (see {@link CodeFence}: reasoning skipped,
     * the last python block, else the last untagged one, else the last in any language, else the
     * whole completion); the codes are compared with {@link #find(String, String)}, so prose and
     * fence lines never count as changed. The spans are in code points of {@code
     * rejectedCompletion}: shifted by where its code starts.
     */
    public ErrorRegion findInCompletion(String rejectedCompletion, String chosenCompletion) {
        CodeFence.Code rejected = CodeFence.extract(rejectedCompletion);
        CodeFence.Code chosen = CodeFence.extract(chosenCompletion);
        return find(rejected.text(), chosen.text()).shift(rejected.offset());
    }

    private static boolean[] markedLines(List<Line> rejected, List<Line> chosen) {
        List<AbstractDelta<String>> deltas = DiffUtils
                .diff(contents(rejected), contents(chosen), new MyersDiff<String>())
                .getDeltas();
        boolean[] marked = new boolean[rejected.size()];
        for (AbstractDelta<String> delta : deltas) {
            Chunk<String> source = delta.getSource();
            switch (delta.getType()) {
                case CHANGE, DELETE -> {
                    for (int i = source.getPosition(); i < source.getPosition() + source.size(); i++) {
                        marked[i] = true;
                    }
                }
                case INSERT -> marked[Math.max(source.getPosition() - 1, 0)] = true;
                case EQUAL -> {
                    // unchanged lines are never part of the region
                }
            }
        }
        return marked;
    }

    private static ErrorRegion toRegion(List<Line> lines, boolean[] marked) {
        List<CharSpan> spans = new ArrayList<>();
        int changed = 0;
        int i = 0;
        while (i < lines.size()) {
            if (!marked[i]) {
                i++;
                continue;
            }
            int first = i;
            while (i < lines.size() && marked[i]) {
                i++;
            }
            changed += i - first;
            spans.add(new CharSpan(lines.get(first).start(), lines.get(i - 1).end()));
        }
        return new ErrorRegion(spans, changed, lines.size());
    }

    private static List<String> contents(List<Line> lines) {
        return lines.stream().map(Line::content).toList();
    }
}
