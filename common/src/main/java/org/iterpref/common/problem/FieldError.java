package org.iterpref.common.problem;

/** A request field at fault, by its JSON path (e.g. {@code tests[2].name}), and why. */
public record FieldError(String field, String message) {
}
