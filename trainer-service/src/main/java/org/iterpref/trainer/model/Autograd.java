package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * What training needs of PyTorch's autograd that DJL's API does not offer: a no-grad scope (DJL
 * only turns gradient recording <em>on</em>, inside a {@code GradientCollector}; PyTorch's grad mode
 * is per thread and on by default, so a forward pass over trainable weights outside a collector
 * would still record a graph) and resetting one parameter's gradient in place (DJL's {@code
 * zeroGradients} walks every array of the engine's system manager, including other models').
 *
 * <p>A hazard of the PyTorch engine to keep in mind: an array made from Java data ({@code
 * manager.create(float[])}) is a tensor over that data's direct buffer, which lives only as long as
 * the DJL array; autograd keeps the tensors an operation needs for backward beyond the array's
 * {@code close()}, so anything closed before backward must be a copy PyTorch owns ({@code
 * duplicate()}; {@code toType}/{@code toDevice} with {@code copy} to the same type and device return
 * an alias). DJL's arithmetic with a Java number ({@code x.div(2f)}) makes such a scalar and closes it
 * at once: in a recorded forward pass, use {@link #scalar} instead.
 */
public final class Autograd {

    private Autograd() {
    }

    /** A scope in which nothing is recorded for backward on this thread; closing restores the previous mode. */
    public static NoGrad noGrad() {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        return new NoGrad(previous);
    }

    /** Sets {@code parameter}'s accumulated gradient to zero (no-op when it has none yet). */
    public static void zeroGradient(NDArray parameter) {
        JniUtils.zeroGrad((PtNDArray) parameter);
    }

    /**
     * The gradient accumulated in {@code parameter} (a handle on PyTorch's {@code .grad}: adding to
     * it in place adds to the gradient; close the handle after use), or empty when no backward pass
     * has reached it yet. DJL's {@code getGradient} answers a fresh array of zeros in that case,
     * which adding to would silently lose.
     */
    public static java.util.Optional<NDArray> accumulatedGradient(NDArray parameter) {
        return java.util.Optional.ofNullable(JniUtils.getGradient((PtNDArray) parameter));
    }

    /** A copy of {@code javaBacked} that PyTorch owns (on its device); {@code javaBacked} is closed. */
    public static NDArray owned(NDArray javaBacked) {
        try (javaBacked) {
            return javaBacked.duplicate();
        }
    }

    /** A float32 scalar PyTorch owns (safe to close even while an autograd graph uses it). */
    public static NDArray scalar(ai.djl.ndarray.NDManager manager, float value) {
        try (NDArray javaBacked = manager.create(value)) {
            return javaBacked.duplicate();
        }
    }

    /** Restores the thread's grad mode on close. */
    public static final class NoGrad implements AutoCloseable {

        private final boolean previous;

        private NoGrad(boolean previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            JniUtils.setGradMode(previous);
        }
    }
}
