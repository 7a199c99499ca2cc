package org.iterpref.trainer.dpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** DJL's trackers as the schedule give transformers' cosine-with-warm-up learning rates (float precision). */
class CosineScheduleTest {

    @ParameterizedTest(name = "{0} steps, warm-up ratio {1}")
    @CsvSource({"100, 0.03", "7, 0.1", "1, 0.03", "50, 0.0", "10, 1.0"})
    void everyStepHasTheLearningRateOfTheClosedForm(int total, double ratio) {
        double peak = 5e-6;
        CosineSchedule schedule = CosineSchedule.of(peak, total, ratio);
        int warmup = (int) Math.ceil(total * ratio);
        assertThat(schedule.warmupSteps()).isEqualTo(warmup);
        for (int step = 0; step < total; step++) {
            double expected = step < warmup ? peak * step / Math.max(1, warmup)
                    : peak * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * (step - warmup) / Math.max(1, total - warmup))));
            assertThat(schedule.at(step)).as("step %d", step).isCloseTo(expected, within(1e-6 * peak));
        }
        if (warmup > 0) {
            assertThat(schedule.at(0)).isZero();
        }
    }
}
