package org.iterpref.generator.web;

import java.util.List;

/** The request is invalid (400) or too large (413) because of the named fields. */
public class InvalidRequestException extends RuntimeException {

    private final List<FieldError> errors;
    private final boolean tooLarge;

    public InvalidRequestException(List<FieldError> errors, boolean tooLarge) {
        super(errors.get(0).field() + ": " + errors.get(0).message());
        this.errors = List.copyOf(errors);
        this.tooLarge = tooLarge;
    }

    public static InvalidRequestException of(String field, String message) {
        return new InvalidRequestException(List.of(new FieldError(field, message)), false);
    }

    public List<FieldError> errors() {
        return errors;
    }

    public boolean tooLarge() {
        return tooLarge;
    }
}
