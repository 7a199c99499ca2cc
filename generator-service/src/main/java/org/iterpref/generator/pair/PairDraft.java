package org.iterpref.generator.pair;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import org.iterpref.common.pair.ErrorRegion;

/** A pair about to be stored, with its region and, when a filter turned it away, the reason. */
record PairDraft(
        String origin,
        UUID runId,
        String taskSet,
        UUID trajectoryId,
        UUID taskId,
        Integer chosenIteration,
        Integer rejectedIteration,
        String prompt,
        String chosen,
        String rejected,
        ErrorRegion region,
        boolean synthetic,
        FilterReason filterReason) {

    /** The same pair after whitespace normalisation has the same key. */
    String dedupKey() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {prompt, chosen, rejected}) {
                sha.update(normalise(part).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String normalise(String text) {
        return text.strip().replaceAll("\\s+", " ");
    }
}
