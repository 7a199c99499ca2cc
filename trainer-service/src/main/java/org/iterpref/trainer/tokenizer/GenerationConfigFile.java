package org.iterpref.trainer.tokenizer;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.OptionalLong;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The token ids of a {@code generation_config.json}: {@code bos_token_id}, {@code eos_token_id}
 * (one id or a list of them) and {@code pad_token_id}; the sampling settings are not read here.
 *
 * @param file the file read
 * @param bosId {@code bos_token_id}
 * @param eosIds {@code eos_token_id}, in file order
 * @param padId {@code pad_token_id}
 */
record GenerationConfigFile(Path file, OptionalLong bosId, Set<Long> eosIds, OptionalLong padId) {

    /**
     * Reads {@code file}.
     *
     * @throws TokenizerException naming the file when it is missing or malformed
     */
    static GenerationConfigFile read(Path file) {
        JsonNode root = JsonFiles.readObject(file);
        return new GenerationConfigFile(
                file,
                JsonFiles.optionalTokenId(root, "bos_token_id", file),
                eosIds(root.get("eos_token_id"), file),
                JsonFiles.optionalTokenId(root, "pad_token_id", file));
    }

    private static Set<Long> eosIds(JsonNode node, Path file) {
        Set<Long> ids = new LinkedHashSet<>();
        if (node == null || node.isNull()) {
            return Set.of();
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                ids.add(JsonFiles.tokenId(element, "eos_token_id", file));
            }
        } else {
            ids.add(JsonFiles.tokenId(node, "eos_token_id", file));
        }
        return Collections.unmodifiableSet(ids);
    }
}
