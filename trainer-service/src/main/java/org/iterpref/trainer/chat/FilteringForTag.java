package org.iterpref.trainer.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.ForTag;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.tree.parse.TagToken;
import com.hubspot.jinjava.util.ForLoop;
import com.hubspot.jinjava.util.ObjectIterator;
import com.hubspot.jinjava.util.ObjectTruthValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.lang3.tuple.Pair;

/**
 * jinjava's {@code for} with Jinja2's loop filter, {@code {% for m in messages if m.role !=
 * 'system' %}}: items failing the condition are skipped before the loop, so {@code loop.index},
 * {@code loop.first} and {@code loop.last} count only the kept ones. jinjava would read {@code
 * messages if ...} as an inline {@code if} and loop over the wrong thing. Stateless.
 */
final class FilteringForTag extends ForTag {

    private static final long serialVersionUID = 1L;

    @Override
    public String interpretUnchecked(TagNode tagNode, JinjavaInterpreter interpreter) {
        TagToken token = (TagToken) tagNode.getMaster();
        int filter = filterStart(token.getHelpers());
        if (filter < 0) {
            return super.interpretUnchecked(tagNode, interpreter);
        }
        String condition = token.getHelpers().substring(filter + " if ".length());
        TagToken unfiltered = new TagToken("{% for " + token.getHelpers().substring(0, filter) + " %}",
                token.getLineNumber(), token.getStartPosition(), token.getSymbols());
        Pair<List<String>, String> loop = getLoopVarsAndExpression(unfiltered);
        Object collection = interpreter.resolveELExpression(loop.getRight(), tagNode.getLineNumber());
        List<Object> kept = new ArrayList<>();
        ForLoop items = ObjectIterator.getLoop(collection);
        try (JinjavaInterpreter.InterpreterScopeClosable scope = interpreter.enterScope()) {
            while (items.hasNext()) {
                Object item = items.next();
                bind(interpreter, loop.getLeft(), item);
                if (ObjectTruthValue.evaluate(interpreter.resolveELExpression(condition, tagNode.getLineNumber()))) {
                    kept.add(item);
                }
            }
        }
        return renderForCollection(tagNode, interpreter, loop.getLeft(), kept);
    }

    /** Binds the loop variables to {@code item} (unpacking entries and lists for several names). */
    private static void bind(JinjavaInterpreter interpreter, List<String> names, Object item) {
        if (names.size() == 1) {
            interpreter.getContext().put(names.get(0), item);
        } else if (item instanceof Map.Entry<?, ?> entry && names.size() == 2) {
            interpreter.getContext().put(names.get(0), entry.getKey());
            interpreter.getContext().put(names.get(1), entry.getValue());
        } else if (item instanceof List<?> values) {
            for (int i = 0; i < names.size(); i++) {
                interpreter.getContext().put(names.get(i), i < values.size() ? values.get(i) : null);
            }
        }
    }

    /**
     * Where {@code " if "} starts the loop filter in the helpers ({@code x in xs if cond}): the
     * first at bracket depth 0 outside strings after the first such {@code " in "}; -1 if none.
     */
    static int filterStart(String helpers) {
        boolean[] afterIn = {false};
        return ExpressionText.walk(helpers, (i, c, depth) -> {
            if (depth != 0 || !Character.isWhitespace(c)) {
                return false;
            }
            if (!afterIn[0] && keywordAt(helpers, i, "in")) {
                afterIn[0] = true;
                return false;
            }
            return afterIn[0] && keywordAt(helpers, i, "if");
        });
    }

    /** Whether {@code whitespace keyword whitespace} starts at {@code i}. */
    private static boolean keywordAt(String s, int i, String keyword) {
        int end = i + 1 + keyword.length();
        return s.startsWith(keyword, i + 1) && end < s.length() && Character.isWhitespace(s.charAt(end));
    }
}
