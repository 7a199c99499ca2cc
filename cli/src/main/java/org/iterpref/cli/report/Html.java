package org.iterpref.cli.report;

/** Text into HTML: every text of the report (task ids, code, model names) comes from elsewhere. */
final class Html {

    private Html() {
    }

    /** {@code text} as HTML text or a quoted attribute value; null as nothing. */
    static String esc(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder s = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> s.append("&lt;");
                case '>' -> s.append("&gt;");
                case '&' -> s.append("&amp;");
                case '"' -> s.append("&quot;");
                case '\'' -> s.append("&#39;");
                // a NUL is replaced by the parser anyway; other C0 controls would be parse errors
                case '\0' -> s.append('\uFFFD');
                default -> s.append(c < 0x20 && c != '\n' && c != '\t' && c != '\r' ? '\uFFFD' : c);
            }
        }
        return s.toString();
    }
}
