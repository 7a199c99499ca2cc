package org.iterpref.generator.source;

import java.util.List;
import org.iterpref.common.problem.FieldError;
import tools.jackson.databind.JsonNode;

/**
 * Makes a {@link CodeSource} from a run's source document ({@code {"type": "bug-injection", ...}}
 * or {@code {"type": "openai", ...}}) and checks such a document before a run is accepted.
 */
public interface CodeSources {

    /** Problems with the document, fields named from the request root (e.g. {@code source.model}). */
    List<FieldError> validate(JsonNode source);

    /**
     * The source of a new run, from a document {@link #validate} accepted, with the form of the
     * document to store: without anything secret (an inline API key stays in this instance's
     * memory, the stored form only refers to it).
     */
    Prepared prepare(JsonNode source);

    /** The source of a stored run (the {@link Prepared#stored()} form). */
    CodeSource create(JsonNode stored);

    /** A run's source and the document to store for it. */
    record Prepared(CodeSource source, JsonNode stored) {
    }
}
