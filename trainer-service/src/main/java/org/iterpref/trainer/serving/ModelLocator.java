package org.iterpref.trainer.serving;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a model that is not loaded can be found, so that {@link ModelRegistry} loads it on the
 * first request for it: the fine-tuned models and checkpoints known to the job database, which
 * survive a restart of the service.
 */
public interface ModelLocator {

    /** The Hugging Face directory of the model named {@code name}, if this locator knows it. */
    Optional<Path> locate(String name);
}
