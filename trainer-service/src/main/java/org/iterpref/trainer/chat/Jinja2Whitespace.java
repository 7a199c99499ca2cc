package org.iterpref.trainer.chat;

import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.tree.parse.ExpressionToken;
import com.hubspot.jinjava.tree.parse.NoteToken;
import com.hubspot.jinjava.tree.parse.TagToken;
import com.hubspot.jinjava.tree.parse.TextToken;
import com.hubspot.jinjava.tree.parse.Token;
import com.hubspot.jinjava.tree.parse.TokenScanner;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies Jinja2's whitespace rules to a template's source, as Hugging Face configures them
 * ({@code trim_blocks=True, lstrip_blocks=True}, {@code keep_trailing_newline=False}), so that
 * jinjava — told to do no whitespace handling of its own — renders the text Jinja2 renders.
 *
 * <p>jinjava's own options differ from Jinja2's lexer: its {@code lstrip_blocks} strips spaces
 * before a block tag even after other text on the line, its comments ignore {@code -}, it knows
 * no {@code +} modifiers, keeps the final newline and miscounts lines after trimmed newlines.
 * This rewrite follows Jinja2's lexer instead:
 * <ul>
 *   <li>newlines ({@code \r\n}, {@code \r}) become {@code \n} and one trailing newline is dropped;</li>
 *   <li>{@code {%-}, {@code {{-}, {@code {#-} strip all whitespace before the tag, {@code -%}},
 *       {@code -}}}, {@code -#}} all whitespace after it;</li>
 *   <li>trim_blocks: the first newline after a block tag or comment is removed (not after
 *       {@code {% raw %}}, not when the tag ends with {@code +%}});</li>
 *   <li>lstrip_blocks: spaces and tabs from the start of a line up to a block tag or comment are
 *       removed (not before {@code {%+});</li>
 * </ul>
 * The {@code -} and {@code +} markers are then blanked out, and every newline removed from text
 * is moved inside the next tag's delimiters (where whitespace means nothing), so line numbers in
 * jinjava's error messages stay those of the original template.
 */
final class Jinja2Whitespace {

    private Jinja2Whitespace() {
    }

    /** The rewritten source; {@code scannerConfig} must have jinjava's trimming options off. */
    static String apply(String template, JinjavaConfig scannerConfig) {
        String source = normalizeNewlines(template);
        List<Object> segments = segments(source, scannerConfig);
        StringBuilder out = new StringBuilder(source.length());
        Delimited previous = null;
        for (int i = 0; i < segments.size(); i++) {
            Object segment = segments.get(i);
            if (segment instanceof Delimited d) {
                out.append(d.rewritten());
                previous = d;
                continue;
            }
            Delimited next = i + 1 < segments.size() ? (Delimited) segments.get(i + 1) : null;
            Trimmed trimmed = trim((String) segment, previous, next);
            out.append(trimmed.text());
            if (next != null) {
                // after the final token, removed newlines cannot shift any line number
                next.newlinesAfterOpener += trimmed.newlines();
            }
        }
        return out.toString();
    }

    /** Jinja2's newline normalisation and {@code keep_trailing_newline=False}. */
    static String normalizeNewlines(String template) {
        String source = template.replace("\r\n", "\n").replace('\r', '\n');
        return source.endsWith("\n") ? source.substring(0, source.length() - 1) : source;
    }

    /** Text strings and delimited tokens, alternating; adjacent text tokens (raw blocks) merged. */
    private static List<Object> segments(String source, JinjavaConfig config) {
        List<Object> segments = new ArrayList<>();
        StringBuilder text = null;
        StringBuilder seen = new StringBuilder(source.length());
        TokenScanner scanner = new TokenScanner(source, config);
        while (scanner.hasNext()) {
            Token token = scanner.next();
            seen.append(token.getImage());
            Delimited delimited = Delimited.of(token);
            if (delimited == null) {
                text = text == null ? new StringBuilder() : text;
                text.append(token.getImage());
                continue;
            }
            if (text != null) {
                segments.add(text.toString());
                text = null;
            }
            segments.add(delimited);
        }
        if (text != null) {
            segments.add(text.toString());
        }
        if (!seen.toString().equals(source)) {
            throw new IllegalStateException("jinjava's scanner did not cover the template source exactly");
        }
        return segments;
    }

    private record Trimmed(String text, int newlines) {
    }

    /** The text between {@code previous} and {@code next} (either may be absent) after Jinja2's trimming. */
    private static Trimmed trim(String text, Delimited previous, Delimited next) {
        int newlines = 0;
        boolean lineStarting;
        if (previous == null) {
            lineStarting = true;
        } else if (previous.rightMark == '-') {
            int end = 0;
            while (end < text.length() && PythonStrings.isSpace(text.codePointAt(end))) {
                end += Character.charCount(text.codePointAt(end));
            }
            newlines += count(text, 0, end);
            lineStarting = end > 0 && text.charAt(end - 1) == '\n';
            text = text.substring(end);
        } else if (previous.trimsNewlineAfter() && text.startsWith("\n")) {
            newlines++;
            lineStarting = true;
            text = text.substring(1);
        } else {
            lineStarting = false;
        }
        if (next != null && next.leftMark == '-') {
            String stripped = PythonStrings.strip(text, null, false, true);
            newlines += count(text, stripped.length(), text.length());
            text = stripped;
        } else if (next != null && next.lstrips()) {
            int lineStart = text.lastIndexOf('\n') + 1;
            if ((lineStart > 0 || lineStarting) && lineStart < text.length()
                    && text.substring(lineStart).codePoints().allMatch(PythonStrings::isSpace)) {
                text = text.substring(0, lineStart);
            }
        }
        return new Trimmed(text, newlines);
    }

    private static int count(String text, int from, int to) {
        int count = 0;
        for (int i = from; i < to; i++) {
            if (text.charAt(i) == '\n') {
                count++;
            }
        }
        return count;
    }

    /** A tag, expression or comment token with its whitespace-control markers. */
    private static final class Delimited {

        enum Kind { TAG, EXPRESSION, COMMENT }

        final Kind kind;
        final String image;
        final char leftMark;
        final char rightMark;
        final boolean rawBegin;
        int newlinesAfterOpener;

        private Delimited(Kind kind, String image, boolean rawBegin) {
            this.kind = kind;
            this.image = image;
            this.rawBegin = rawBegin;
            String closer = kind == Kind.TAG ? "%}" : kind == Kind.EXPRESSION ? "}}" : "#}";
            char left = image.length() > 2 ? image.charAt(2) : 0;
            this.leftMark = left == '-' || left == '+' ? left : 0;
            int rightIndex = image.length() - 3;
            char right = image.endsWith(closer) && rightIndex >= 2 + (leftMark != 0 ? 1 : 0)
                    ? image.charAt(rightIndex) : 0;
            this.rightMark = right == '-' || (right == '+' && kind != Kind.EXPRESSION) ? right : 0;
        }

        static Delimited of(Token token) {
            if (token instanceof TagToken tag) {
                return new Delimited(Kind.TAG, token.getImage(), "raw".equals(tag.getTagName()));
            }
            if (token instanceof ExpressionToken) {
                return new Delimited(Kind.EXPRESSION, token.getImage(), false);
            }
            if (token instanceof NoteToken) {
                return new Delimited(Kind.COMMENT, token.getImage(), false);
            }
            if (token instanceof TextToken) {
                return null;
            }
            throw new IllegalStateException("unexpected token " + token.getClass().getSimpleName());
        }

        /** trim_blocks applies after this token. */
        boolean trimsNewlineAfter() {
            return kind != Kind.EXPRESSION && rightMark != '+' && !rawBegin;
        }

        /** lstrip_blocks applies before this token. */
        boolean lstrips() {
            return kind != Kind.EXPRESSION && leftMark != '+';
        }

        /** The image without markers, with the newlines moved here from the text before it. */
        String rewritten() {
            int bodyStart = 2 + (leftMark != 0 ? 1 : 0);
            int bodyEnd = image.length() - 2 - (rightMark != 0 ? 1 : 0);
            if (bodyEnd < bodyStart) {
                return image;
            }
            return image.substring(0, 2) + "\n".repeat(newlinesAfterOpener) + (leftMark != 0 ? " " : "")
                    + image.substring(bodyStart, bodyEnd) + (rightMark != 0 ? " " : "")
                    + image.substring(image.length() - 2);
        }
    }
}
