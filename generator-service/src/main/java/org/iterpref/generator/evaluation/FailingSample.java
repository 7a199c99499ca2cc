package org.iterpref.generator.evaluation;

import java.util.UUID;

/** One failing sample of a task, for reports: its code, verdict and the executor's feedback. */
public record FailingSample(UUID taskId, int sample, String code, String verdict, int passed, int total,
                            String feedback) {
}
