package org.iterpref.trainer.checkpoint;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A {@code model.safetensors.index.json}: which shard file holds each tensor.
 *
 * @param file      the index file
 * @param weightMap tensor name → shard path (resolved in the index's directory), in file order
 */
record ShardIndex(Path file, Map<String, Path> weightMap) {

    /** Reads and validates {@code file}: a {@code weight_map} of names to plain file names. */
    static ShardIndex read(Path file) {
        JsonNode map = Json.readObject(file).get("weight_map");
        if (map == null || !map.isObject()) {
            throw new CheckpointException(file, "weight_map", "is missing or not an object of tensor → shard file");
        }
        Path dir = file.toAbsolutePath().normalize().getParent();
        Map<String, Path> weightMap = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : map.properties()) {
            weightMap.put(entry.getKey(), shardPath(file, dir, entry.getKey(), entry.getValue()));
        }
        if (weightMap.isEmpty()) {
            throw new CheckpointException(file, "weight_map", "is empty");
        }
        return new ShardIndex(file, Collections.unmodifiableMap(weightMap));
    }

    /** The shard's path, which must stay in the index's directory (no "../", no absolute path). */
    private static Path shardPath(Path file, Path dir, String tensor, JsonNode value) {
        if (!value.isString() || value.stringValue().isEmpty()) {
            throw new CheckpointException(file, tensor, "shard must be a file name, found " + value);
        }
        Path shard = dir.resolve(value.stringValue()).normalize();
        if (!dir.equals(shard.getParent())) {
            throw new CheckpointException(file, tensor, "shard '" + value.stringValue()
                    + "' is not a file in the index's directory");
        }
        return shard;
    }
}
