package org.iterpref.trainer.files;

import java.io.IOException;
import java.io.Reader;

/**
 * Reads a text line by line without ever holding more than {@code maxChars} of one line: a longer
 * line is skipped to its end and reported as too long, so one huge line cannot exhaust memory.
 * {@code \n} ends a line (a {@code \r} before it is dropped); a leading byte-order mark is dropped.
 */
final class BoundedLineReader {

    /** One line: its number from 1, its text, or {@code tooLong} with no text. */
    record Line(int number, String text, boolean tooLong) {
    }

    private final Reader in;
    private final int maxChars;
    private final char[] buffer = new char[8192];
    private int position;
    private int limit;
    private int number;
    private boolean atStart = true;

    BoundedLineReader(Reader in, int maxChars) {
        this.in = in;
        this.maxChars = maxChars;
    }

    /** The next line, or null at the end of the text. */
    Line next() throws IOException {
        StringBuilder line = new StringBuilder();
        boolean tooLong = false;
        boolean any = false;
        while (true) {
            if (position == limit && !fill()) {
                if (!any) {
                    return null;
                }
                break;
            }
            any = true;
            char c = buffer[position++];
            if (c == '\n') {
                break;
            }
            if (tooLong) {
                continue;
            }
            if (line.length() == maxChars) {
                tooLong = true;
                line.setLength(0);
                continue;
            }
            line.append(c);
        }
        number++;
        if (tooLong) {
            return new Line(number, null, true);
        }
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') {
            line.setLength(end - 1);
        }
        return new Line(number, line.toString(), false);
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            return false;
        }
        position = 0;
        limit = n;
        if (atStart) {
            atStart = false;
            if (buffer[0] == '\uFEFF') {
                position = 1;
            }
        }
        return true;
    }
}
