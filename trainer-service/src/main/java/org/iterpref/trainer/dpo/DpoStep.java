package org.iterpref.trainer.dpo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.iterpref.trainer.model.Autograd;
import org.iterpref.trainer.model.DecoderModel;
import org.iterpref.trainer.model.LabelLogProbs;

/**
 * Runs the focal DPO objective over one global batch, micro-batch by micro-batch: a forward pass,
 * the loss on the host, and (when training) its gradient accumulated into the weights'. Every
 * micro-batch's gradient is already scaled for the whole global batch (the mean over all its
 * pairs, the NLL pooled over all its chosen labels), so accumulation sums them.
 */
final class DpoStep {

    private final DecoderModel model;
    private final long padId;
    private final boolean checkpointing;

    DpoStep(DecoderModel model, long padId) {
        this(model, padId, false);
    }

    /** With {@code checkpointing}, training passes recompute each layer in backward (linear activation memory). */
    DpoStep(DecoderModel model, long padId, boolean checkpointing) {
        this.model = model;
        this.padId = padId;
        this.checkpointing = checkpointing;
    }

    /**
     * The sequence log-probs of {@code pairs} and, when {@code train}, their gradient added to the
     * weights' gradients. {@code reference[i]} is {@code {ref_c, ref_r}} of pair {@code pairs.get(i)}.
     */
    BatchResult run(List<EncodedPair> pairs, double[][] reference, int microBatchSize, double beta, double alpha,
                    boolean train) {
        long chosenLabels = pairs.stream().mapToLong(p -> p.chosenIds().length).sum();
        FocalDpoLoss loss = new FocalDpoLoss(beta, alpha, pairs.size(), chosenLabels);
        BatchResult.Builder result = new BatchResult.Builder(pairs.size(), loss);
        for (int from = 0; from < pairs.size(); from += microBatchSize) {
            int to = Math.min(pairs.size(), from + microBatchSize);
            DpoBatch batch = DpoBatch.of(pairs.subList(from, to), padId);
            if (train) {
                try (GradientCollector collector = Engine.getEngine(model.engineName()).newGradientCollector()) {
                    micro(batch, reference, from, loss, result, collector);
                }
            } else {
                try (Autograd.NoGrad ignored = Autograd.noGrad()) {
                    micro(batch, reference, from, loss, result, null);
                }
            }
        }
        return result.build();
    }

    /**
     * {@code {π_c, π_r}} per pair: each sequence's log-prob summed over its counted labels, without
     * gradients (the reference model's log-probs, computed once before training).
     */
    double[][] sequenceLogProbs(List<EncodedPair> pairs, int microBatchSize) {
        double[][] out = new double[pairs.size()][];
        for (int from = 0; from < pairs.size(); from += microBatchSize) {
            int to = Math.min(pairs.size(), from + microBatchSize);
            DpoBatch batch = DpoBatch.of(pairs.subList(from, to), padId);
            Shape shape = new Shape(batch.rows(), batch.length());
            try (Autograd.NoGrad ignored = Autograd.noGrad(); NDManager scope = model.newScope();
                 LabelLogProbs logProbs = model.labelLogProbs(scope, scope.create(batch.ids(), shape),
                         scope.create(batch.mask(), shape), batch.labelRows(), batch.labelTargets(), false)) {
                float[] values = logProbs.values();
                double[] sums = new double[batch.rows()];
                for (int i = 0; i < values.length; i++) {
                    if (batch.labelCounted()[i]) {
                        sums[batch.labelRow()[i]] += values[i];
                    }
                }
                int n = batch.size();
                for (int i = 0; i < n; i++) {
                    out[from + i] = new double[] {sums[i], sums[n + i]};
                }
            }
        }
        return out;
    }

    private void micro(DpoBatch batch, double[][] reference, int offset, FocalDpoLoss loss,
                       BatchResult.Builder result, GradientCollector collector) {
        Shape shape = new Shape(batch.rows(), batch.length());
        try (NDManager scope = model.newScope();
             LabelLogProbs logProbs = model.labelLogProbs(scope, scope.create(batch.ids(), shape),
                     scope.create(batch.mask(), shape), batch.labelRows(), batch.labelTargets(), collector != null,
                     checkpointing, LabelLogProbs.CHUNK_ELEMENTS, LabelLogProbs.KEEP_ELEMENTS)) {
            float[] values = logProbs.values();
            int n = batch.size();
            double[] sums = new double[batch.rows()];
            double nll = 0;
            for (int i = 0; i < values.length; i++) {
                int row = batch.labelRow()[i];
                if (batch.labelCounted()[i]) {
                    sums[row] += values[i];
                }
                if (row < n) {
                    nll += values[i];
                }
            }
            double[] margins = new double[n];
            for (int i = 0; i < n; i++) {
                double[] ref = reference[offset + i];
                margins[i] = loss.margin(sums[i], sums[n + i], ref[0], ref[1]);
                result.add(offset + i, sums[i], sums[n + i], ref[0], ref[1]);
            }
            result.addNll(-nll, batch.tokens());
            if (collector != null) {
                float[] coefficients = new float[values.length];
                for (int i = 0; i < values.length; i++) {
                    int row = batch.labelRow()[i];
                    if (row < n) {
                        coefficients[i] = (float) loss.chosenCoefficient(margins[row]);
                    } else if (batch.labelCounted()[i]) {
                        coefficients[i] = (float) loss.rejectedCoefficient(margins[row - n]);
                    }
                }
                logProbs.backward(collector, coefficients);
            }
        }
    }
}
