package org.iterpref.cli;

import java.io.PrintWriter;
import java.util.List;

/**
 * A plain-text table for the terminal: columns as wide as their widest cell, the first column
 * left-aligned, the figures right-aligned, and a trailing detail column (when there is one)
 * left-aligned again; trailing blanks trimmed.
 */
public final class TextTable {

    private TextTable() {
    }

    public static void print(List<List<String>> rows, boolean detailColumn, PrintWriter out) {
        int columns = rows.get(0).size();
        int[] width = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                String cell = row.get(i);
                line.append(i == 0 ? String.format("%-" + width[i] + "s", cell)
                        : detailColumn && i == columns - 1 ? "  " + cell : String.format("  %" + width[i] + "s", cell));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
