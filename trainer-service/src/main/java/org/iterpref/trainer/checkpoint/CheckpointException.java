package org.iterpref.trainer.checkpoint;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A model directory, safetensors file or {@code config.json} that cannot be used: malformed,
 * inconsistent, missing a tensor, or describing an unsupported model.
 *
 * <p>The message always names the file and, where there is one, the key (tensor name or JSON
 * field): {@code /models/qwen/model.safetensors: 'model.norm.weight': shape [32] does not match
 * the expected [64]}.
 */
public class CheckpointException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String key;

    /**
     * @param file   the file at fault (never null)
     * @param key    the tensor name or JSON field at fault, or null when the whole file is
     * @param detail what is wrong
     */
    public CheckpointException(Path file, String key, String detail) {
        this(file, key, detail, null);
    }

    /** As {@link #CheckpointException(Path, String, String)}, with the underlying cause. */
    public CheckpointException(Path file, String key, String detail, Throwable cause) {
        super(format(file, key, detail), cause);
        this.file = file;
        this.key = key;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }

    /** The tensor name or JSON field at fault, when the problem is not with the whole file. */
    public Optional<String> key() {
        return Optional.ofNullable(key);
    }

    private static String format(Path file, String key, String detail) {
        String where = key == null ? String.valueOf(file) : file + ": '" + key + "'";
        return where + ": " + detail;
    }
}
