package org.iterpref.trainer.feed;

import org.iterpref.trainer.dpo.TrainingPair;

/**
 * A pair as the feed gave it: the training pair, and the generator's id of the task it was made
 * from ({@code taskId}; null for an imported pair, which has none). Pairs of one task share it, so
 * a held-out validation set can leave whole tasks out of training.
 */
public record FeedPair(TrainingPair pair, String taskId) {
}
