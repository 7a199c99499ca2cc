package org.iterpref.trainer.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.Map;
import java.util.SplittableRandom;
import org.iterpref.trainer.checkpoint.ModelConfig;
import org.iterpref.trainer.checkpoint.ParameterSpec;

/**
 * Fills a block tree with fresh weights as Hugging Face initialises these models: linear and
 * embedding weights from {@code N(0, std²)} ({@code initializer_range}, 0.02 by default), biases
 * zero, RMSNorm weights one. For benchmarks and memory measurements of a model shape without its
 * checkpoint. Values come from a {@link SplittableRandom} per tensor seeded by {@code seed} and the
 * tensor's name, so the same seed gives the same model on any engine and thread.
 */
final class RandomWeights {

    private RandomWeights() {
    }

    static void fill(Block root, ModelConfig config, NDManager manager, double std, long seed) {
        Map<String, Parameter> parameters = HfParameters.named(root);
        for (ParameterSpec spec : config.expectedParameters()) {
            Parameter parameter = parameters.get(spec.name());
            if (parameter == null) {
                throw new IllegalStateException("the block tree has no parameter " + spec.name());
            }
            Shape shape = new Shape(spec.shape());
            float[] values = new float[Math.toIntExact(shape.size())];
            if (spec.name().endsWith("norm.weight")) {
                java.util.Arrays.fill(values, 1f);
            } else if (!spec.name().endsWith(".bias")) {
                SplittableRandom random = new SplittableRandom(seed ^ (long) spec.name().hashCode() * 0x9E3779B97F4A7C15L);
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (gaussian(random) * std);
                }
            }
            parameter.setArray(HfWeights.owned(manager.create(values, shape), DataType.FLOAT32));
        }
    }

    /** A standard normal draw (Box–Muller; {@link SplittableRandom} has no Gaussian of its own in Java 17). */
    private static double gaussian(SplittableRandom random) {
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
