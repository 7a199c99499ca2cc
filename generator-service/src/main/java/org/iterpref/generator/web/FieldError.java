package org.iterpref.generator.web;

/** A request field at fault, by its JSON path, and why. */
public record FieldError(String field, String message) {
}
