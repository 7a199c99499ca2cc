package org.iterpref.trainer.dpo;

/**
 * Linear warm-up then cosine decay to zero, as transformers' {@code get_cosine_schedule_with_warmup}
 * with TRL's {@code warmup_steps = ceil(warmup_ratio · total_steps)}: optimizer step {@code s}
 * (from 0) uses {@code lr · s / warmup} during warm-up, then
 * {@code lr · ½(1 + cos(π · (s − warmup) / (total − warmup)))}.
 */
record CosineSchedule(double peak, int totalSteps, int warmupSteps) {

    static CosineSchedule of(double peak, int totalSteps, double warmupRatio) {
        return new CosineSchedule(peak, totalSteps, (int) Math.ceil(totalSteps * warmupRatio));
    }

    /** The learning rate of optimizer step {@code step} (0-based). */
    double at(int step) {
        if (step < warmupSteps) {
            return peak * step / Math.max(1, warmupSteps);
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return peak * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
