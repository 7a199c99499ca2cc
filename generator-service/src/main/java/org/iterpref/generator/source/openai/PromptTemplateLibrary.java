package org.iterpref.generator.source.openai;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Prompt templates a run may name: files of the operator's directory
 * ({@code iterpref.generator.prompt-templates-dir}, {@code NAME} or {@code NAME.txt}) and the
 * bundled {@code first-attempt} and {@code refine}. A name is a name, never a path: anything with
 * {@code /}, {@code \} or {@code ..}, or that resolves outside the directory, is refused, so a
 * caller cannot have the service read (and send to a model) any file it can read.
 */
public final class PromptTemplateLibrary {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final List<String> BUNDLED = List.of("first-attempt", "refine");

    private final Path directory;

    /** @param directory the operator's template directory; {@code null}: only the bundled ones */
    public PromptTemplateLibrary(Path directory) {
        this.directory = directory;
    }

    /**
     * The template named, or a problem naming {@code field}.
     *
     * @throws InvalidSourceSettingsException when the name is a path or names no template
     */
    public String load(String field, String name) {
        if (name.contains("/") || name.contains("\\") || name.contains("..") || !NAME.matcher(name).matches()) {
            throw problem(field, "must be the name of a prompt template (letters, digits, '.', '_', '-'), not a path");
        }
        Optional<String> text = fromDirectory(name);
        if (text.isPresent()) {
            return text.get();
        }
        String bundled = name.endsWith(".txt") ? name.substring(0, name.length() - 4) : name;
        if (BUNDLED.contains(bundled)) {
            return PromptTemplates.bundledResource("prompts/" + bundled + ".txt");
        }
        throw problem(field, "no prompt template named '" + name + "'");
    }

    private Optional<String> fromDirectory(String name) {
        if (directory == null) {
            return Optional.empty();
        }
        try {
            Path root = directory.toRealPath();
            for (String candidate : List.of(name, name + ".txt")) {
                Path file = root.resolve(candidate);
                if (Files.isRegularFile(file) && file.toRealPath().getParent().equals(root)) {
                    return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static InvalidSourceSettingsException problem(String field, String message) {
        return new InvalidSourceSettingsException(List.of(new SettingsProblem(field, message)));
    }
}
