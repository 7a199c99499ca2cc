package org.iterpref.trainer.dpo;

import java.util.List;
import org.iterpref.common.pair.CharSpan;
import org.iterpref.trainer.tokenizer.CodePointSpan;
import org.iterpref.trainer.tokenizer.Encoding;
import org.iterpref.trainer.tokenizer.TextTokenizer;

/**
 * The focal rule of focal DPO, the one place it is written: a rejected completion is encoded on its
 * own without special tokens, and a token is focal when its code-point span shares at least one
 * code point with an error span. A token covering no text is never focal. {@link PairEncoder}
 * trains with it; the focal-mask preview shows it.
 *
 * @param encoding the rejected completion's tokens (no end token)
 * @param focal per token of {@code encoding}: focal
 */
public record FocalMask(Encoding encoding, boolean[] focal) {

    /** The tokens of {@code rejected} and which of them overlap {@code errorSpans} (code points of rejected). */
    public static FocalMask of(TextTokenizer tokenizer, String rejected, List<CharSpan> errorSpans) {
        Encoding encoding = tokenizer.encode(rejected, false);
        return new FocalMask(encoding, mask(encoding.offsets(), errorSpans));
    }

    /** Per token offset: overlaps an error span. */
    static boolean[] mask(List<CodePointSpan> offsets, List<CharSpan> spans) {
        boolean[] mask = new boolean[offsets.size()];
        for (int i = 0; i < offsets.size(); i++) {
            CodePointSpan token = offsets.get(i);
            for (CharSpan span : spans) {
                if (token.overlaps(span)) {
                    mask[i] = true;
                    break;
                }
            }
        }
        return mask;
    }

    /** How many tokens are focal. */
    public int focalCount() {
        int n = 0;
        for (boolean f : focal) {
            n += f ? 1 : 0;
        }
        return n;
    }
}
