package org.iterpref.trainer.dpo;

import java.util.Arrays;
import java.util.Optional;
import org.iterpref.trainer.tokenizer.Encoding;
import org.iterpref.trainer.tokenizer.TextTokenizer;

/**
 * Tokenizes pairs for focal DPO. A sequence is {@code prompt + completion + end token}; the prompt
 * and each completion are encoded separately (no special tokens added: the chat template writes
 * its own). A rejected token is focal by {@link FocalMask}'s rule (its code-point span overlaps an
 * error span); the end token never is (plain DPO counts every rejected label, the end token included).
 *
 * <p>Truncation as TRL's DPO trainer does it: the prompt is cut from the left to
 * {@code max_prompt_length}, then each completion from the right so the sequence fits
 * {@code max_length} (its end token goes first). A focal pair whose whole error region is cut
 * away has nothing to learn from its rejected side and is dropped ({@link #encode} answers empty).
 */
final class PairEncoder {

    private final TextTokenizer tokenizer;
    private final PromptRenderer prompts;
    private final int maxLength;
    private final int maxPromptLength;
    private final boolean focal;

    PairEncoder(TextTokenizer tokenizer, PromptRenderer prompts, int maxLength, int maxPromptLength, boolean focal) {
        this.tokenizer = tokenizer;
        this.prompts = prompts;
        this.maxLength = maxLength;
        this.maxPromptLength = maxPromptLength;
        this.focal = focal;
    }

    /** The encoded pair, or empty when truncation left nothing to learn from it. */
    Optional<EncodedPair> encode(int index, TrainingPair pair) {
        long[] prompt = tokenizer.encode(prompts.render(pair.messages()), false).ids();
        if (prompt.length > maxPromptLength) {
            prompt = Arrays.copyOfRange(prompt, prompt.length - maxPromptLength, prompt.length);
        }
        int room = maxLength - prompt.length;
        Encoding chosen = tokenizer.encode(pair.chosen(), false);
        FocalMask rejected = FocalMask.of(tokenizer, pair.rejected(), pair.errorSpans());
        long[] chosenIds = withEnd(chosen.ids(), room);
        long[] rejectedIds = withEnd(rejected.encoding().ids(), room);
        // one label more than tokens: the end token, never focal
        boolean[] allFocal = Arrays.copyOf(rejected.focal(), rejected.focal().length + 1);
        boolean[] kept = Arrays.copyOf(allFocal, rejectedIds.length);
        boolean cut = count(kept) < count(allFocal);
        if (!focal) {
            Arrays.fill(kept, true);
        }
        if (chosenIds.length == 0 || rejectedIds.length == 0 || (focal && count(kept) == 0 && count(allFocal) > 0)) {
            return Optional.empty();
        }
        return Optional.of(new EncodedPair(index, prompt, chosenIds, rejectedIds, kept, cut));
    }

    /** {@code ids + [end]}, cut from the right to {@code room} tokens. */
    private long[] withEnd(long[] ids, int room) {
        long[] full = Arrays.copyOf(ids, ids.length + 1);
        full[ids.length] = prompts.endToken();
        return full.length <= room ? full : Arrays.copyOf(full, Math.max(0, room));
    }

    private static int count(boolean[] mask) {
        int n = 0;
        for (boolean b : mask) {
            n += b ? 1 : 0;
        }
        return n;
    }
}
