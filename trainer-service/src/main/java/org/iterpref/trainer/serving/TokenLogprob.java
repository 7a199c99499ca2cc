package org.iterpref.trainer.serving;

import java.util.List;

/**
 * A token's log-probability under the model (temperature 1, whatever the sampling temperature),
 * with the most likely alternatives at its position when asked for.
 *
 * @param id the token id
 * @param token its text on its own (special tokens kept)
 * @param logprob natural-log probability; {@code null} for a sequence's first token, which has no context
 * @param top the most likely tokens at this position, most likely first (empty when not asked)
 */
record TokenLogprob(long id, String token, Double logprob, List<Alternative> top) {

    /** One of the most likely tokens at a position. */
    record Alternative(long id, String token, double logprob) {
    }
}
