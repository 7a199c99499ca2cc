package org.iterpref.generator.source.openai;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.iterpref.generator.source.GenerationContext;
import org.iterpref.generator.task.Task;

/**
 * The two user-message templates: one for the first attempt, one for each refinement. Placeholders
 * are replaced literally in one pass (a value containing {@code {{code}}} is not expanded again);
 * unknown placeholders stay as written:
 * <ul>
 *   <li>{@code {{prompt}}}: the task's prompt;</li>
 *   <li>{@code {{entry_point}}}: the function the tests call (empty when the task has none);</li>
 *   <li>{@code {{code}}}: the previous iteration's code (empty on the first attempt);</li>
 *   <li>{@code {{feedback}}}: the executor's feedback on it (empty on the first attempt);</li>
 *   <li>{@code {{iteration}}}: the iteration number, 0 for the first attempt, 1 for the first
 *       refinement.</li>
 * </ul>
 */
public class PromptTemplates {

    static final String DEFAULT_FIRST = "prompts/first-attempt.txt";
    static final String DEFAULT_REFINE = "prompts/refine.txt";
    private static final List<String> PLACEHOLDERS =
            List.of("prompt", "entry_point", "code", "feedback", "iteration");

    private final String firstAttempt;
    private final String refine;

    public PromptTemplates(String firstAttempt, String refine) {
        this.firstAttempt = Objects.requireNonNull(firstAttempt, "firstAttempt");
        this.refine = Objects.requireNonNull(refine, "refine");
    }

    /**
     * The settings' template files, or the bundled default for each one not set.
     *
     * @throws InvalidSourceSettingsException when a named file cannot be read
     */
    public static PromptTemplates load(OpenAiSourceSettings settings) {
        return new PromptTemplates(
                load("firstPromptTemplate", settings.firstPromptTemplate(), DEFAULT_FIRST),
                load("refinePromptTemplate", settings.refinePromptTemplate(), DEFAULT_REFINE));
    }

    /** The bundled {@code prompts/first-attempt.txt} and {@code prompts/refine.txt}. */
    public static PromptTemplates bundled() {
        return new PromptTemplates(bundled(DEFAULT_FIRST), bundled(DEFAULT_REFINE));
    }

    public String firstAttemptTemplate() {
        return firstAttempt;
    }

    public String refineTemplate() {
        return refine;
    }

    /** The user message for this iteration: the first-attempt or the refinement template, filled. */
    public String render(GenerationContext context) {
        return render(context, previousCode(context), previousFeedback(context));
    }

    /** {@link #render(GenerationContext)} with the previous code and feedback replaced (e.g. shortened). */
    public String render(GenerationContext context, String code, String feedback) {
        Task task = context.task();
        Map<String, String> values = Map.of(
                "prompt", text(task.prompt()),
                "entry_point", text(task.entryPoint()),
                "code", code,
                "feedback", feedback,
                "iteration", Integer.toString(context.iteration()));
        return fill(context.firstAttempt() ? firstAttempt : refine, values);
    }

    /** What {@code {{code}}} stands for in this iteration (empty on the first attempt). */
    public static String previousCode(GenerationContext context) {
        return context.firstAttempt() ? "" : text(context.previousCode());
    }

    /** What {@code {{feedback}}} stands for in this iteration (empty on the first attempt). */
    public static String previousFeedback(GenerationContext context) {
        return context.firstAttempt() ? "" : text(context.previousFeedback());
    }

    /** Replaces each known {@code {{name}}} in one left-to-right pass. */
    static String fill(String template, Map<String, String> values) {
        StringBuilder out = new StringBuilder(template.length() + 256);
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf("{{", i);
            if (open < 0) {
                out.append(template, i, template.length());
                break;
            }
            out.append(template, i, open);
            String name = placeholderAt(template, open, values);
            if (name == null) {
                out.append('{');
                i = open + 1;
            } else {
                out.append(values.get(name));
                i = open + name.length() + 4;
            }
        }
        return out.toString();
    }

    private static String placeholderAt(String template, int open, Map<String, String> values) {
        for (String name : PLACEHOLDERS) {
            if (values.containsKey(name) && template.startsWith("{{" + name + "}}", open)) {
                return name;
            }
        }
        return null;
    }

    private static String text(String value) {
        return value == null ? "" : value.stripTrailing();
    }

    private static String load(String field, String path, String defaultResource) {
        if (path == null) {
            return bundled(defaultResource);
        }
        try {
            return Files.readString(Path.of(path), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new InvalidSourceSettingsException(List.of(new SettingsProblem(field,
                    "cannot read template " + path + " (" + e.getClass().getSimpleName() + ")")));
        }
    }

    /** A bundled template by its class-path resource name, e.g. {@code prompts/refine.txt}. */
    static String bundledResource(String resource) {
        return bundled(resource);
    }

    private static String bundled(String resource) {
        try (InputStream in = PromptTemplates.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("bundled prompt template " + resource + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled prompt template " + resource, e);
        }
    }
}
