package org.iterpref.generator.source.reference;

import org.iterpref.generator.source.CodeSource;
import org.iterpref.generator.source.Generation;
import org.iterpref.generator.source.GenerationContext;

/**
 * {@code {"type": "reference"}}: answers every task with its own reference solution. An evaluation
 * with it is a sanity check of the tasks, the executor and the scoring: it must score exactly 1.0.
 * Not a model: its iterations are stored as synthetic.
 */
public final class ReferenceSource implements CodeSource {

    public static final String MODEL = "reference";

    @Override
    public Generation generate(GenerationContext context) {
        String reference = context.task().referenceSolution();
        if (reference == null || reference.isBlank()) {
            // the trajectory ends ERRORED with this reason: the source cannot work on the task
            throw new IllegalStateException("task " + context.task().externalId() + " has no reference solution");
        }
        return new Generation("the task's reference solution", reference, reference, MODEL, null, null, false);
    }

    @Override
    public boolean synthetic() {
        return true;
    }

    @Override
    public String model() {
        return MODEL;
    }
}
