package org.iterpref.generator.source;

/**
 * Where the code of each iteration of a trajectory comes from: a model behind an
 * OpenAI-compatible server, or the offline bug-injection source. Implementations are stateless
 * across calls: everything an iteration depends on is in its {@link GenerationContext}, so a
 * trajectory can resume on any instance after its last stored iteration.
 */
public interface CodeSource {

    /**
     * The code of one iteration: a first attempt when {@code context.iteration() == 0}, otherwise a
     * refinement of {@code context.previousCode()} given {@code context.previousFeedback()}.
     *
     * @throws SourceUnavailableException when the model server cannot be reached or keeps failing
     *                                    (the job is retried later, nothing is stored)
     */
    Generation generate(GenerationContext context);

    /** True when the code is not from a model (bug injection): stored and shown as synthetic. */
    boolean synthetic();

    /** The model id (or source name) stored with each iteration. */
    String model();
}
