package org.iterpref.generator.pair;

import java.util.UUID;

/**
 * A kept pair as the export reads it: the columns of a TRL line and no more. The three texts stay
 * the UTF-8 bytes the driver received (the export escapes them into the line without decoding them
 * to a String and encoding them back), and the error spans the JSON text PostgreSQL returns for the
 * {@code jsonb} column (already valid JSON: copied, not parsed and re-serialised).
 */
record ExportedPair(
        long id,
        String origin,
        UUID runId,
        String taskSet,
        UUID trajectoryId,
        UUID taskId,
        Integer chosenIteration,
        Integer rejectedIteration,
        byte[] promptUtf8,
        byte[] chosenUtf8,
        byte[] rejectedUtf8,
        String errorSpansJson,
        int regionLines,
        int rejectedLines,
        boolean synthetic,
        boolean alreadyStored) {
}
