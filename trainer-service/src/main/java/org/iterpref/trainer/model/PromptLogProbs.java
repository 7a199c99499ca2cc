package org.iterpref.trainer.model;

/**
 * Log-probs of a sequence's tokens under the model, one entry per predicted position {@code t}
 * (predicting token {@code t+1} from the tokens before it).
 *
 * @param chosen {@code log p(ids[t+1] | ids[..t])}
 * @param topIds per position, the most likely token ids, most likely first (empty arrays when not asked)
 * @param topLogProbs their log-probs, aligned with {@code topIds}
 */
public record PromptLogProbs(float[] chosen, long[][] topIds, float[][] topLogProbs) {
}
