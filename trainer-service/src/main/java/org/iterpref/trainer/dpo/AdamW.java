package org.iterpref.trainer.dpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.iterpref.trainer.model.Autograd;

/**
 * AdamW exactly as {@code torch.optim.AdamW} (the paper's and TRL's optimizer): decoupled weight
 * decay {@code p ← p·(1 − lr·wd)}, then {@code m ← β1·m + (1−β1)·g}, {@code v ← β2·v + (1−β2)·g²},
 * {@code p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε)}.
 *
 * <p>Not DJL's {@code Optimizer.adam()}: its moments live in private maps that cannot be saved to
 * or restored from a checkpoint (a resumed job must continue with the same moments), its weight
 * decay is the coupled L2 kind ({@code g + wd·p}), and it adds ε to {@code √v} before the bias
 * correction rather than after. The state here is plain named arrays, saved by {@link
 * TrainingCheckpoints}.
 */
final class AdamW implements AutoCloseable {

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final NDManager state;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private long steps;

    AdamW(NDManager parent, double beta1, double beta2, double eps, double weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.state = parent.newSubManager();
    }

    /** The paper's betas and ε with {@code weightDecay}. */
    static AdamW standard(NDManager parent, double weightDecay) {
        return new AdamW(parent, 0.9, 0.999, 1e-8, weightDecay);
    }

    /** One update of every parameter from its gradient at learning rate {@code lr}. */
    void step(Map<String, NDArray> parameters, Map<String, NDArray> gradients, double lr) {
        steps++;
        double correction1 = 1 - Math.pow(beta1, steps);
        double sqrtCorrection2 = Math.sqrt(1 - Math.pow(beta2, steps));
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            for (Map.Entry<String, NDArray> entry : parameters.entrySet()) {
                String name = entry.getKey();
                NDArray p = entry.getValue();
                NDArray g = gradients.get(name);
                NDArray m = firstMoments.computeIfAbsent(name, k -> state.zeros(p.getShape(), p.getDataType(), p.getDevice()));
                NDArray v = secondMoments.computeIfAbsent(name, k -> state.zeros(p.getShape(), p.getDataType(), p.getDevice()));
                if (weightDecay != 0) {
                    p.muli((float) (1 - lr * weightDecay));
                }
                // every temporary is closed at once: results of an operation belong to the manager of
                // the array it was called on (the weights' or this optimizer's), which live for the run
                try (NDArray scaled = g.mul((float) (1 - beta1))) {
                    m.muli((float) beta1).addi(scaled);
                }
                try (NDArray squared = g.square()) {
                    v.muli((float) beta2).addi(squared.muli((float) (1 - beta2)));
                }
                try (NDArray denominator = v.sqrt(); NDArray update = m.div(denominator.divi((float) sqrtCorrection2)
                        .addi((float) eps))) {
                    p.subi(update.muli((float) (lr / correction1)));
                }
            }
        }
    }

    /** Steps taken (the bias corrections' {@code t}). */
    long steps() {
        return steps;
    }

    /** The moments by parameter name ({@code name.exp_avg}, {@code name.exp_avg_sq}), for a checkpoint. */
    Map<String, NDArray> moments() {
        Map<String, NDArray> all = new LinkedHashMap<>();
        firstMoments.forEach((name, m) -> all.put(name + ".exp_avg", m));
        secondMoments.forEach((name, v) -> all.put(name + ".exp_avg_sq", v));
        return all;
    }

    /** Restores what {@link #moments()} and {@link #steps()} gave, copied onto the state's device. */
    void restore(long restoredSteps, Map<String, float[]> moments, Map<String, NDArray> parameters) {
        steps = restoredSteps;
        for (Map.Entry<String, NDArray> entry : parameters.entrySet()) {
            String name = entry.getKey();
            float[] m = moments.get(name + ".exp_avg");
            float[] v = moments.get(name + ".exp_avg_sq");
            if (m == null || v == null) {
                throw new IllegalStateException("the checkpoint's optimizer state has no moments for " + name);
            }
            NDArray p = entry.getValue();
            firstMoments.put(name, Autograd.owned(state.create(m, p.getShape()).toDevice(p.getDevice(), false)));
            secondMoments.put(name, Autograd.owned(state.create(v, p.getShape()).toDevice(p.getDevice(), false)));
        }
    }

    @Override
    public void close() {
        state.close();
    }
}
