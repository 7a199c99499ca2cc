package org.iterpref.trainer.chat;

/** A walk over a template expression's characters outside string literals, with bracket depth. */
final class ExpressionText {

    /** Sees one character outside strings, with the bracket depth after it; true stops the walk. */
    interface Visitor {
        boolean visit(int index, char c, int depth);
    }

    private ExpressionText() {
    }

    /** Walks {@code expression}; returns the index where {@code visitor} stopped, or -1. */
    static int walk(String expression, Visitor visitor) {
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < expression.length(); i++) {
            char c = expression.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
                continue;
            }
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            }
            if (visitor.visit(i, c, depth)) {
                return i;
            }
        }
        return -1;
    }
}
