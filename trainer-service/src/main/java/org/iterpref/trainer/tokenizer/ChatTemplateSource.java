package org.iterpref.trainer.tokenizer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The chat template(s) of a model, as Jinja source text; rendering them is not this class's
 * job. Sources, as Hugging Face transformers reads them:
 * <ul>
 *   <li>{@code chat_template} of {@code tokenizer_config.json}: a string (named {@value
 *       #DEFAULT_NAME}), or a list of {@code {"name", "template"}} objects;</li>
 *   <li>{@code chat_template.jinja} beside it, which newer saves use instead and which takes
 *       precedence for the {@value #DEFAULT_NAME} template.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class ChatTemplateSource {

    /** Name of the template used when none is asked for. */
    public static final String DEFAULT_NAME = TokenizerConfigFile.DEFAULT_TEMPLATE;

    private static final ChatTemplateSource NONE = new ChatTemplateSource(Map.of(), Optional.empty());

    private final Map<String, String> templates;
    private final Optional<Path> source;

    private ChatTemplateSource(Map<String, String> templates, Optional<Path> source) {
        this.templates = templates;
        this.source = source;
    }

    /**
     * The chat templates of a model directory ({@code tokenizer_config.json} and {@code
     * chat_template.jinja}); none when neither file has one.
     *
     * @throws TokenizerException naming the file when a present file is malformed
     */
    public static ChatTemplateSource load(Path modelDirectory) {
        Path config = modelDirectory.resolve(TokenizerFiles.TOKENIZER_CONFIG_JSON);
        Path jinja = modelDirectory.resolve(TokenizerFiles.CHAT_TEMPLATE_JINJA);
        return of(
                Files.isRegularFile(config) ? Optional.of(TokenizerConfigFile.read(config)) : Optional.empty(),
                Files.isRegularFile(jinja) ? Optional.of(jinja) : Optional.empty());
    }

    /** The templates of already-read files. */
    static ChatTemplateSource of(Optional<TokenizerConfigFile> config, Optional<Path> jinjaFile) {
        Map<String, String> templates = new LinkedHashMap<>(config.map(TokenizerConfigFile::chatTemplates).orElse(Map.of()));
        Optional<Path> source = templates.isEmpty() ? Optional.empty() : config.map(TokenizerConfigFile::file);
        if (jinjaFile.isPresent()) {
            templates.put(DEFAULT_NAME, readJinja(jinjaFile.get()));
            source = jinjaFile;
        }
        return templates.isEmpty() ? NONE : new ChatTemplateSource(Collections.unmodifiableMap(templates), source);
    }

    /** The {@value #DEFAULT_NAME} template, or the only one when there is exactly one. */
    public Optional<String> template() {
        if (templates.containsKey(DEFAULT_NAME)) {
            return Optional.of(templates.get(DEFAULT_NAME));
        }
        return templates.size() == 1 ? Optional.of(templates.values().iterator().next()) : Optional.empty();
    }

    /** The template called {@code name} (e.g. {@code tool_use}). */
    public Optional<String> template(String name) {
        return Optional.ofNullable(templates.get(Objects.requireNonNull(name, "name")));
    }

    /** Every template by name, in file order; empty when the model has none. */
    public Map<String, String> templates() {
        return templates;
    }

    /** Whether the model has any chat template. */
    public boolean isPresent() {
        return !templates.isEmpty();
    }

    /** The file the {@value #DEFAULT_NAME} template (or all of them) came from. */
    public Optional<Path> source() {
        return source;
    }

    private static String readJinja(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new TokenizerException(file, "malformed: not UTF-8 text", e);
        } catch (IOException e) {
            throw new TokenizerException(file, "cannot be read: " + e, e);
        }
    }

    @Override
    public String toString() {
        return "ChatTemplateSource" + templates.keySet() + source.map(path -> " from " + path).orElse("");
    }
}
