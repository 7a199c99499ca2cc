package org.iterpref.generator.source.openai;

/**
 * One problem in {@link OpenAiSourceSettings}: the settings field it concerns (its record
 * component name, e.g. {@code temperature}) and a message a user can act on.
 */
public record SettingsProblem(String field, String message) {
}
