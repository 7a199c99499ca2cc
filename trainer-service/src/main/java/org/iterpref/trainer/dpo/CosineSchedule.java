package org.iterpref.trainer.dpo;

import ai.djl.training.tracker.CosineTracker;
import ai.djl.training.tracker.Tracker;
import ai.djl.training.tracker.WarmUpTracker;

/**
 * Linear warm-up then cosine decay to zero — transformers' {@code get_cosine_schedule_with_warmup}
 * with TRL's {@code warmup_steps = ceil(warmup_ratio · total_steps)}: optimizer step {@code s} (from
 * 0) uses {@code lr · s / warmup} during warm-up, then {@code lr · ½(1 + cos(π · (s − warmup) /
 * (total − warmup)))}. Computed by DJL's own trackers ({@link WarmUpTracker} over a {@link
 * CosineTracker}), which give exactly that formula; a tracker is a function of the step number
 * alone, so the step number in a checkpoint is all the schedule's state.
 */
record CosineSchedule(double peak, int totalSteps, int warmupSteps, Tracker tracker) {

    static CosineSchedule of(double peak, int totalSteps, double warmupRatio) {
        int warmup = (int) Math.ceil(totalSteps * warmupRatio);
        Tracker cosine = CosineTracker.builder().setBaseValue((float) peak).optFinalValue(0f)
                .setMaxUpdates(Math.max(1, totalSteps - warmup)).build();
        Tracker tracker = warmup == 0 ? cosine : WarmUpTracker.builder().setMainTracker(cosine)
                .optWarmUpSteps(warmup).optWarmUpBeginValue(0f).optWarmUpMode(WarmUpTracker.Mode.LINEAR).build();
        return new CosineSchedule(peak, totalSteps, warmup, tracker);
    }

    /** The learning rate of optimizer step {@code step} (0-based). */
    double at(int step) {
        return tracker.getNewValue(step);
    }
}
