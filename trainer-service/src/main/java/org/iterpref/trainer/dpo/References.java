package org.iterpref.trainer.dpo;

import java.util.List;
import org.iterpref.trainer.model.DecoderModel;

/** Where a step's reference log-probs {@code {ref_c, ref_r}} come from. */
interface References {

    /** For the training pairs at {@code positions} (in {@link PreparedData#training()}). */
    double[][] training(List<Integer> positions);

    /** For every validation pair, in order. */
    double[][] validation();

    /** Precomputed once (the default). */
    static References table(ReferenceLogProbs table) {
        return new References() {
            @Override
            public double[][] training(List<Integer> positions) {
                return ReferenceLogProbs.rows(table.training(), positions);
            }

            @Override
            public double[][] validation() {
                return table.validation();
            }
        };
    }

    /** Computed when needed by a frozen copy of the starting model kept beside the policy. */
    static References frozen(DecoderModel model, PreparedData data, int microBatchSize) {
        DpoStep step = new DpoStep(model, data.endToken());
        return new References() {
            @Override
            public double[][] training(List<Integer> positions) {
                return step.sequenceLogProbs(positions.stream().map(data.training()::get).toList(), microBatchSize);
            }

            @Override
            public double[][] validation() {
                return step.sequenceLogProbs(data.validation(), microBatchSize);
            }
        };
    }
}
