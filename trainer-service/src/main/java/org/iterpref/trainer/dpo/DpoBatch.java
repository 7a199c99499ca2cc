package org.iterpref.trainer.dpo;

import java.util.List;

/**
 * A micro-batch as the model takes it: rows {@code 0..n-1} are the chosen sequences, rows
 * {@code n..2n-1} the rejected ones, each {@code prompt + completion}, right-padded. Labels are the
 * completion positions; label {@code i} is token {@code labelTargets[i]}, predicted at flattened
 * position {@code labelRows[i]} (one before it) of row {@code labelRow[i]}.
 */
record DpoBatch(List<EncodedPair> pairs, int rows, int length, long[] ids, long[] mask, long[] labelRows,
                long[] labelTargets, int[] labelRow, boolean[] labelCounted) {

    static DpoBatch of(List<EncodedPair> pairs, long padId) {
        int n = pairs.size();
        int length = 0;
        int labels = 0;
        for (EncodedPair pair : pairs) {
            length = Math.max(length, pair.promptIds().length + Math.max(pair.chosenIds().length, pair.rejectedIds().length));
            labels += pair.chosenIds().length + pair.rejectedIds().length;
        }
        int rows = 2 * n;
        long[] ids = new long[rows * length];
        long[] mask = new long[rows * length];
        java.util.Arrays.fill(ids, padId);
        long[] labelRows = new long[labels];
        long[] labelTargets = new long[labels];
        int[] labelRow = new int[labels];
        boolean[] counted = new boolean[labels];
        int at = 0;
        for (int row = 0; row < rows; row++) {
            EncodedPair pair = pairs.get(row % n);
            boolean chosen = row < n;
            long[] completion = chosen ? pair.chosenIds() : pair.rejectedIds();
            long[] prompt = pair.promptIds();
            int base = row * length;
            System.arraycopy(prompt, 0, ids, base, prompt.length);
            System.arraycopy(completion, 0, ids, base + prompt.length, completion.length);
            java.util.Arrays.fill(mask, base, base + prompt.length + completion.length, 1L);
            for (int j = 0; j < completion.length; j++) {
                int position = prompt.length + j;
                labelRows[at] = base + position - 1L;
                labelTargets[at] = completion[j];
                labelRow[at] = row;
                counted[at] = chosen || pair.rejectedFocal()[j];
                at++;
            }
        }
        return new DpoBatch(List.copyOf(pairs), rows, length, ids, mask, labelRows, labelTargets, labelRow, counted);
    }

    /** Pairs in the batch. */
    int size() {
        return pairs.size();
    }

    /** Tokens of all rows (without padding). */
    long tokens() {
        long sum = 0;
        for (long m : mask) {
            sum += m;
        }
        return sum;
    }
}
