package org.iterpref.trainer.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The files a {@link TextTokenizer} is built from, in Hugging Face's model-directory layout:
 * {@code tokenizer.json} (required), and {@code tokenizer_config.json}, {@code
 * generation_config.json} and {@code chat_template.jinja} when present.
 *
 * @param tokenizerJson the {@code tokenizer.json} file
 * @param tokenizerConfig {@code tokenizer_config.json}, if used
 * @param generationConfig {@code generation_config.json}, if used
 * @param chatTemplateFile {@code chat_template.jinja}, if used (newer Hugging Face saves keep the
 *     chat template there instead of in {@code tokenizer_config.json})
 */
public record TokenizerFiles(
        Path tokenizerJson,
        Optional<Path> tokenizerConfig,
        Optional<Path> generationConfig,
        Optional<Path> chatTemplateFile) {

    /** File name of the tokenizer itself. */
    public static final String TOKENIZER_JSON = "tokenizer.json";
    /** File name of the tokenizer's settings (special tokens, chat template). */
    public static final String TOKENIZER_CONFIG_JSON = "tokenizer_config.json";
    /** File name of the generation defaults (EOS / BOS ids). */
    public static final String GENERATION_CONFIG_JSON = "generation_config.json";
    /** File name of a chat template kept outside {@code tokenizer_config.json}. */
    public static final String CHAT_TEMPLATE_JINJA = "chat_template.jinja";

    /** Checks no component is null. */
    public TokenizerFiles {
        Objects.requireNonNull(tokenizerJson, "tokenizerJson");
        Objects.requireNonNull(tokenizerConfig, "tokenizerConfig");
        Objects.requireNonNull(generationConfig, "generationConfig");
        Objects.requireNonNull(chatTemplateFile, "chatTemplateFile");
    }

    /**
     * The files of a model directory, or of the directory holding the given {@code
     * tokenizer.json}: that file plus whichever of the optional files lie beside it.
     *
     * @param directoryOrTokenizerJson a model directory or a {@code tokenizer.json} path
     * @throws TokenizerException when the path does not exist or the directory has no {@code
     *     tokenizer.json}
     */
    public static TokenizerFiles locate(Path directoryOrTokenizerJson) {
        Path path = directoryOrTokenizerJson.toAbsolutePath().normalize();
        if (Files.isDirectory(path)) {
            Path tokenizerJson = path.resolve(TOKENIZER_JSON);
            if (!Files.isRegularFile(tokenizerJson)) {
                throw new TokenizerException(tokenizerJson, "missing: the model directory has no " + TOKENIZER_JSON);
            }
            return inDirectory(path, tokenizerJson);
        }
        if (Files.isRegularFile(path)) {
            return inDirectory(path.getParent(), path);
        }
        throw new TokenizerException(path, "does not exist (expected a model directory or a " + TOKENIZER_JSON + ")");
    }

    /**
     * Just a {@code tokenizer.json}, with no configuration files: special tokens then come from
     * its {@code added_tokens} alone.
     *
     * @throws TokenizerException when the file does not exist
     */
    public static TokenizerFiles tokenizerOnly(Path tokenizerJson) {
        Path path = tokenizerJson.toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            throw new TokenizerException(path, "does not exist or is not a file");
        }
        return new TokenizerFiles(path, Optional.empty(), Optional.empty(), Optional.empty());
    }

    private static TokenizerFiles inDirectory(Path directory, Path tokenizerJson) {
        return new TokenizerFiles(
                tokenizerJson,
                existing(directory.resolve(TOKENIZER_CONFIG_JSON)),
                existing(directory.resolve(GENERATION_CONFIG_JSON)),
                existing(directory.resolve(CHAT_TEMPLATE_JINJA)));
    }

    private static Optional<Path> existing(Path file) {
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }
}
