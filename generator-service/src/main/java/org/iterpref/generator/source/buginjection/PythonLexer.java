package org.iterpref.generator.source.buginjection;

import java.util.ArrayList;
import java.util.List;

/**
 * Masks the parts of Python source that must never be mutated. The masked text has the same
 * length and line breaks as the source; comments become spaces and the inside of every string
 * literal (single, double or triple quoted, with any prefix, f-strings included) becomes
 * {@link #FILL}, keeping its quotes. It also records which physical lines continue a statement
 * begun on an earlier line (open bracket, open triple-quoted string, backslash).
 */
final class PythonLexer {

    /** Stands for a character inside a string literal; it matches no pattern the finders use. */
    static final char FILL = '\u0001';

    private final String source;
    private final char[] masked;
    private final List<Boolean> continues = new ArrayList<>();
    private int depth;
    private boolean backslash;

    private PythonLexer(String source) {
        this.source = source;
        this.masked = source.toCharArray();
    }

    /** The lexed source. */
    record Result(String masked, List<Boolean> lineContinues) {
    }

    static Result lex(String source) {
        PythonLexer lexer = new PythonLexer(source);
        lexer.run();
        return new Result(new String(lexer.masked), List.copyOf(lexer.continues));
    }

    private void run() {
        continues.add(false);
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c == '#') {
                i = skipComment(i);
            } else if (c == '"' || c == '\'') {
                i = skipString(i);
            } else {
                i = codeChar(i, c);
            }
        }
    }

    private int codeChar(int i, char c) {
        if (c == '\n') {
            continues.add(depth > 0 || backslash);
            backslash = false;
            return i + 1;
        }
        if (c == '\\' && i + 1 < source.length() && source.charAt(i + 1) == '\n') {
            backslash = true;
            return i + 1;
        }
        if (c == '(' || c == '[' || c == '{') {
            depth++;
        } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
            depth--;
        }
        if (!Character.isWhitespace(c)) {
            backslash = false;
        }
        return i + 1;
    }

    private int skipComment(int i) {
        int j = i;
        while (j < source.length() && source.charAt(j) != '\n') {
            masked[j++] = ' ';
        }
        return j;
    }

    private int skipString(int open) {
        char quote = source.charAt(open);
        boolean triple = source.startsWith(String.valueOf(quote).repeat(3), open);
        int quotes = triple ? 3 : 1;
        int j = open + quotes;
        while (j < source.length()) {
            char c = source.charAt(j);
            if (c == '\\' && j + 1 < source.length()) {
                fill(j);
                fill(j + 1);
                j += 2;
            } else if (c == quote && (!triple || source.startsWith(String.valueOf(quote).repeat(3), j))) {
                return j + quotes;
            } else if (c == '\n' && !triple) {
                return j; // unterminated: the line ends the string
            } else {
                fill(j);
                j++;
            }
        }
        return j;
    }

    private void fill(int at) {
        if (source.charAt(at) == '\n') {
            continues.add(true);
        } else {
            masked[at] = FILL;
        }
    }
}
