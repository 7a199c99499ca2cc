package org.iterpref.trainer.files;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * OpenAI's file object, plus how many pairs the upload gave and how many lines could not be used.
 */
@Schema(name = "FileObject", description = "An uploaded training file (OpenAI's file object)")
public record FileObject(
        @Schema(example = "file-3fJk9aZ0qL2m8N1pR7sT5vWx") String id,
        @Schema(allowableValues = "file") String object,
        @Schema(description = "size of the upload in bytes") long bytes,
        @JsonProperty("created_at") @Schema(description = "Unix seconds") long createdAt,
        String filename,
        @Schema(allowableValues = "fine-tune") String purpose,
        @Schema(allowableValues = "processed") String status,
        @JsonProperty("status_details") @Schema(nullable = true,
                description = "the lines that could not be used: the first 20 by number with the reason, and a count")
        String statusDetails,
        @Schema(description = "extension: preference pairs read from the file") int pairs,
        @JsonProperty("bad_lines") @Schema(description = "extension: lines that could not be used") int badLines) {

    public static final String OBJECT = "file";
    public static final String PROCESSED = "processed";
    public static final String FINE_TUNE = "fine-tune";
}
