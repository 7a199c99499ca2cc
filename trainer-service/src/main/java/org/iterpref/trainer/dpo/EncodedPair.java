package org.iterpref.trainer.dpo;

/**
 * A pair as token ids, after truncation: the prompt, then each completion with its end token.
 * Masks run over the completion ids (the labels): a chosen sequence counts every label; the
 * rejected one counts {@code rejectedFocal} (its error-region tokens, or every label for plain DPO).
 *
 * @param index the pair's position in the job's data (ties reference log-probs to it)
 * @param promptIds the prompt (cut from the left to {@code max_prompt_length})
 * @param chosenIds chosen completion + end token (cut from the right to fit {@code max_length})
 * @param rejectedIds rejected completion + end token (likewise)
 * @param rejectedFocal per rejected label: whether it counts for the rejected log-prob
 * @param regionCut whether truncation removed some of the error region
 */
public record EncodedPair(int index, long[] promptIds, long[] chosenIds, long[] rejectedIds, boolean[] rejectedFocal,
                          boolean regionCut) {

    /** Tokens of the two sequences together (what a step trains on for this pair). */
    public long tokens() {
        return 2L * promptIds.length + chosenIds.length + rejectedIds.length;
    }

    /** Rejected labels that count. */
    public int rejectedFocalCount() {
        int n = 0;
        for (boolean f : rejectedFocal) {
            n += f ? 1 : 0;
        }
        return n;
    }
}
