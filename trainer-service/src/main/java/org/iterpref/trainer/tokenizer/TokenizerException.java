package org.iterpref.trainer.tokenizer;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A tokenizer could not be loaded or used: a model directory or file is missing, a
 * {@code tokenizer.json}, {@code tokenizer_config.json} or {@code generation_config.json} is
 * malformed or inconsistent, or the native tokenizers library failed to load. The message starts
 * with the offending file when there is one, and {@link #file()} returns it.
 */
public class TokenizerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The offending file, or {@code null} when the failure is not about one file. */
    private final transient Path file;

    /**
     * A failure about {@code file}.
     *
     * @param file the file or directory at fault
     * @param message what is wrong with it
     */
    public TokenizerException(Path file, String message) {
        this(file, message, null);
    }

    /**
     * A failure about {@code file}, caused by {@code cause}.
     *
     * @param file the file or directory at fault
     * @param message what is wrong with it
     * @param cause the underlying error, may be {@code null}
     */
    public TokenizerException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    /**
     * A failure that is not about one file (the native library, a closed tokenizer).
     *
     * @param message what went wrong
     * @param cause the underlying error, may be {@code null}
     */
    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
        this.file = null;
    }

    /** The file or directory at fault, when the failure is about one. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }
}
