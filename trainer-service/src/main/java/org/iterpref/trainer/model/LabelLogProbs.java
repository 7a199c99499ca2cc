package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;

/**
 * The log-probabilities of chosen tokens at chosen positions (the labels of a training batch),
 * computed from the final hidden states without ever holding logits for all of them: a chunk of
 * positions at a time, each gets {@code hidden · Wᵀ} over the vocabulary, its log-softmax, and
 * the target's entry. With a 151k vocabulary and 2048-token sequences, {@code [B, L, V]} logits
 * would not fit; a chunk of {@code rowsPerChunk} positions does.
 *
 * <p>Gradients are not left to autograd through the chunks (autograd would keep every chunk's
 * logits for backward, which is the memory this class avoids). The caller turns the log-probs
 * into a loss on the host and hands back {@code dLoss/dlogp} per position; {@link #backward}
 * then computes, chunk by chunk, {@code dLoss/dlogits = c·(onehot(target) − softmax)}, from it the
 * gradients of the selected hidden states ({@code · W}) and of the head matrix ({@code ᵀ · h}),
 * and back-propagates them through the decoder in one pass with the surrogate
 * {@code Σ h·G_h + Σ W·G_W}, whose gradient is exactly those. The head matrix is the embedding
 * when tied, so it also receives its lookup gradient from autograd.
 *
 * <p>When every chunk's log-softmax fits in {@link #KEEP_ELEMENTS} they are kept from the forward
 * pass for the backward; otherwise they are recomputed (one more matrix product per chunk).
 */
public final class LabelLogProbs implements AutoCloseable {

    /** Largest chunk of logits, in elements (64 MB of float32). */
    public static final long CHUNK_ELEMENTS = 16L << 20;
    /** Largest total of log-softmax kept between forward and backward, in elements (256 MB of float32). */
    public static final long KEEP_ELEMENTS = 64L << 20;

    private final NDManager scope;
    private final NDArray selected;
    private final NDArray selectedValues;
    private final NDArray head;
    private final NDArray headValues;
    private final NDArray targets;
    private final int rowsPerChunk;
    private final List<NDArray> kept;
    private final float[] logProbs;
    /** Continues the backward pass below {@code hidden} when it is not recorded all the way down (checkpointing). */
    private final java.util.function.Consumer<GradientCollector> below;

    LabelLogProbs(NDManager scope, NDArray hidden, NDArray head, long[] rows, long[] targets, long chunkElements,
                  long keepElements, java.util.function.Consumer<GradientCollector> below) {
        this.below = below;
        this.scope = scope;
        long width = hidden.getShape().get(2);
        long vocab = head.getShape().get(0);
        NDArray flat = hidden.reshape(-1, width);
        NDArray index = scope.create(rows).toDevice(hidden.getDevice(), false);
        this.selected = flat.get(new NDIndex("{}", index));
        this.selectedValues = selected.stopGradient().toType(DataType.FLOAT32, false);
        this.head = head;
        // a detached view is made in the weights' manager: it belongs to this call's scope instead
        NDArray detachedHead = head.stopGradient();
        detachedHead.attach(scope);
        this.headValues = detachedHead.toType(DataType.FLOAT32, false);
        this.targets = scope.create(targets).toDevice(hidden.getDevice(), false);
        this.rowsPerChunk = (int) Math.max(1, Math.min(rows.length, chunkElements / vocab));
        this.kept = (long) rows.length * vocab <= keepElements ? new ArrayList<>() : null;
        this.logProbs = forward(rows.length);
    }

    /** {@code log p(target | prefix)} for each selected position, in the order given. */
    public float[] values() {
        return logProbs.clone();
    }

    /** The number of selected positions. */
    public int size() {
        return logProbs.length;
    }

    private float[] forward(int count) {
        float[] out = new float[count];
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            for (int from = 0; from < count; from += rowsPerChunk) {
                int to = Math.min(count, from + rowsPerChunk);
                // every intermediate of a chunk (logits, log-softmax, indices) is freed with its scope
                try (NDManager chunk = scope.newSubManager()) {
                    NDArray logSoftmax = chunkLogSoftmax(chunk, from, to);
                    NDArray picked = logSoftmax.gather(slice(targets, chunk, from, to).expandDims(-1), -1).squeeze(-1);
                    System.arraycopy(picked.toFloatArray(), 0, out, from, to - from);
                    if (kept != null) {
                        logSoftmax.attach(scope);
                        kept.add(logSoftmax);
                    }
                }
            }
        }
        return out;
    }

    /** {@code log_softmax(h · Wᵀ)} of positions {@code from..to}, its intermediates in {@code chunk}. */
    private NDArray chunkLogSoftmax(NDManager chunk, int from, int to) {
        return slice(selectedValues, chunk, from, to).matMul(headValues.transpose()).logSoftmax(-1);
    }

    /** Rows {@code from..to} of {@code array} as a view owned by {@code chunk} (so results land there too). */
    private static NDArray slice(NDArray array, NDManager chunk, int from, int to) {
        NDArray rows = array.get(from + ":" + to);
        rows.attach(chunk);
        return rows;
    }

    /**
     * Back-propagates {@code dLoss/dlogp[i] = coefficients[i]} into every trainable parameter's
     * gradient (accumulating, as PyTorch does). Call inside {@code collector}'s scope, once.
     */
    public void backward(GradientCollector collector, float[] coefficients) {
        if (coefficients.length != logProbs.length) {
            throw new IllegalArgumentException(coefficients.length + " coefficients for " + logProbs.length + " positions");
        }
        NDArray hiddenGradient;
        NDArray headGradient;
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            long vocab = headValues.getShape().get(0);
            headGradient = scope.zeros(headValues.getShape(), DataType.FLOAT32, headValues.getDevice());
            NDArray vocabularyIds = scope.arange(0, (int) vocab, 1, DataType.INT64).toDevice(headValues.getDevice(), false)
                    .expandDims(0);
            NDList chunks = new NDList();
            for (int from = 0, index = 0; from < logProbs.length; from += rowsPerChunk, index++) {
                int to = Math.min(logProbs.length, from + rowsPerChunk);
                try (NDManager chunk = scope.newSubManager()) {
                    NDArray logSoftmax = kept != null ? kept.get(index) : chunkLogSoftmax(chunk, from, to);
                    NDArray coefficient = chunk.create(java.util.Arrays.copyOfRange(coefficients, from, to),
                            new Shape(to - from, 1)).toDevice(headValues.getDevice(), false);
                    // one-hot by comparison: the PyTorch engine does not implement NDArray.oneHot with values
                    NDArray oneHot = slice(targets, chunk, from, to).expandDims(1).eq(vocabularyIds)
                            .toType(DataType.FLOAT32, false);
                    NDArray probabilities = logSoftmax.exp();
                    probabilities.attach(chunk);
                    NDArray logitGradient = oneHot.sub(probabilities).mul(coefficient);
                    NDArray rowsGradient = logitGradient.matMul(headValues);
                    rowsGradient.attach(scope);
                    chunks.add(rowsGradient);
                    headGradient.addi(logitGradient.transpose().matMul(slice(selectedValues, chunk, from, to)));
                }
            }
            hiddenGradient = chunks.size() == 1 ? chunks.head() : NDArrays.concat(chunks, 0);
            if (chunks.size() > 1) {
                chunks.forEach(NDArray::close);
            }
        }
        try (NDArray product = selected.mul(hiddenGradient.toType(selected.getDataType(), false));
             NDArray surrogate = product.sum()) {
            collector.backward(surrogate);
        }
        addHeadGradient(collector, headGradient);
        hiddenGradient.close();
        headGradient.close();
        if (below != null) {
            below.accept(collector);
        }
    }

    /**
     * Adds {@code gradient} to the head matrix's accumulated gradient in place. A tied head (the
     * embedding) already has one from the lookup; an untied {@code lm_head} is used only here, so its
     * first gradient is made by a backward pass of {@code Σ W·G} on its own (a separate small graph).
     */
    private void addHeadGradient(GradientCollector collector, NDArray gradient) {
        java.util.Optional<NDArray> accumulated = Autograd.accumulatedGradient(head);
        if (accumulated.isPresent()) {
            try (Autograd.NoGrad ignored = Autograd.noGrad(); NDArray view = accumulated.get()) {
                view.addi(gradient.toType(view.getDataType(), false));
            }
            return;
        }
        try (NDArray product = head.mul(gradient.toType(head.getDataType(), false)); NDArray sum = product.sum()) {
            collector.backward(sum);
        }
    }

    /** Frees the per-call arrays (the scope's owner closes the rest). */
    @Override
    public void close() {
        if (kept != null) {
            kept.forEach(NDArray::close);
            kept.clear();
        }
    }
}
