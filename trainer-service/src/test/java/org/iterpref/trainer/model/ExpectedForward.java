package org.iterpref.trainer.model;

import java.nio.file.Path;
import org.iterpref.trainer.checkpoint.SafetensorsFile;

/** A model fixture's {@code expected_forward.safetensors}: the batch and its float64 logits. */
record ExpectedForward(long[] inputIds, long[] attentionMask, double[] logits, int batch, int length, int vocab) {

    static ExpectedForward read(Path modelDir) {
        try (SafetensorsFile file = SafetensorsFile.open(modelDir.resolve("expected_forward.safetensors"))) {
            long[] shape = file.info("logits").shape();
            return new ExpectedForward(file.readInt64("input_ids"), file.readInt64("attention_mask"),
                    file.readFloat64("logits"), (int) shape[0], (int) shape[1], (int) shape[2]);
        }
    }

    /** Whether position {@code (b, t)} is a real token (part of the contract). */
    boolean real(int b, int t) {
        return attentionMask[b * length + t] == 1;
    }
}
