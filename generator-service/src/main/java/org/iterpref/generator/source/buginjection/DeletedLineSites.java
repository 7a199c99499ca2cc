package org.iterpref.generator.source.buginjection;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@link MutationKind#DELETED_LINE}: one simple statement on a line of its own is deleted, only
 * from a block that keeps at least one other statement (so the code still parses). Compound
 * statement headers, {@code return}, {@code pass}, {@code break}, {@code continue}, imports and
 * {@code global}/{@code nonlocal} declarations are never deleted.
 */
final class DeletedLineSites implements SiteFinder {

    private static final Set<String> KEPT = Set.of(
            "def", "class", "if", "elif", "else", "for", "while", "try", "except", "finally", "with", "return",
            "pass", "break", "continue", "import", "from", "global", "nonlocal", "async", "match", "case");
    private static final Pattern FIRST_WORD = Pattern.compile("^([A-Za-z_]\\w*)");

    @Override
    public List<Mutation> find(PythonSource source) {
        List<PythonSource.LogicalLine> statements = source.logicalLines();
        List<Mutation> found = new ArrayList<>();
        for (int i = 0; i < statements.size(); i++) {
            PythonSource.LogicalLine statement = statements.get(i);
            if (deletable(statement) && blockSize(statements, i) >= 2) {
                found.add(deletion(source, statement));
            }
        }
        return found;
    }

    private static boolean deletable(PythonSource.LogicalLine statement) {
        if (!statement.mutable() || !statement.singlePhysicalLine()) {
            return false;
        }
        String text = statement.maskedText();
        if (text.endsWith(":") || text.endsWith("\\")) {
            return false;
        }
        var matcher = FIRST_WORD.matcher(text);
        return !matcher.find() || !KEPT.contains(matcher.group(1));
    }

    /** Statements at the same indentation in the block holding statement {@code index}. */
    private static int blockSize(List<PythonSource.LogicalLine> statements, int index) {
        int indent = statements.get(index).indent();
        int count = 1;
        for (int i = index - 1; i >= 0 && statements.get(i).indent() >= indent; i--) {
            count += statements.get(i).indent() == indent ? 1 : 0;
        }
        for (int i = index + 1; i < statements.size() && statements.get(i).indent() >= indent; i++) {
            count += statements.get(i).indent() == indent ? 1 : 0;
        }
        return count;
    }

    private static Mutation deletion(PythonSource source, PythonSource.LogicalLine statement) {
        String code = source.original();
        int start = statement.start();
        int end = statement.end();
        if (end < code.length()) {
            end++; // the line break after it
        } else if (start > 0) {
            start--; // the last line: take the line break before it
        }
        String deleted = code.substring(statement.start(), statement.end()).strip();
        return new Mutation(MutationKind.DELETED_LINE, statement.firstLine(), start, end, "",
                "deleted line " + statement.firstLine() + " `" + deleted + "`");
    }
}
