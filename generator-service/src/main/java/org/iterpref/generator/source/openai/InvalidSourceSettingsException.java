package org.iterpref.generator.source.openai;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The settings of an {@code openai} source cannot be used: each problem names the field, so a
 * REST layer can answer 400 with them. Not retryable.
 */
public class InvalidSourceSettingsException extends IllegalArgumentException {

    private final List<SettingsProblem> problems;

    public InvalidSourceSettingsException(List<SettingsProblem> problems) {
        super(describe(problems));
        this.problems = List.copyOf(problems);
    }

    public List<SettingsProblem> problems() {
        return problems;
    }

    private static String describe(List<SettingsProblem> problems) {
        return "invalid openai source settings: " + problems.stream()
                .map(p -> p.field() + ": " + p.message())
                .collect(Collectors.joining("; "));
    }
}
