package org.iterpref.trainer.dpo;

import ai.djl.ndarray.NDArray;
import java.util.Collection;
import org.iterpref.trainer.model.Autograd;

/**
 * {@code torch.nn.utils.clip_grad_norm_}: the global L2 norm over every gradient, and when it
 * exceeds {@code maxNorm}, every gradient scaled by {@code maxNorm / (norm + 1e-6)}.
 */
final class GradientClipping {

    private GradientClipping() {
    }

    /** The global norm before clipping (clipping skipped when {@code maxNorm} is 0). */
    static double clip(Collection<NDArray> gradients, double maxNorm) {
        double sumOfSquares = 0;
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            for (NDArray g : gradients) {
                try (NDArray squares = g.square(); NDArray sum = squares.sum()) {
                    sumOfSquares += sum.getFloat();
                }
            }
            double norm = Math.sqrt(sumOfSquares);
            if (maxNorm > 0) {
                double coefficient = maxNorm / (norm + 1e-6);
                if (coefficient < 1) {
                    for (NDArray g : gradients) {
                        g.muli((float) coefficient);
                    }
                }
            }
            return norm;
        }
    }
}
