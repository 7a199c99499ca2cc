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

    CodeSource create(JsonNode source);
}
