package org.iterpref.common.problem;

import java.util.List;

/**
 * The request is invalid (400), or too large (413), because of the named fields. Every service
 * maps it to an RFC 9457 problem with {@code field} (the first) and {@code errors} (all).
 */
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

    /** True when a size cap was exceeded (413); false for other invalid input (400). */
    public boolean tooLarge() {
        return tooLarge;
    }
}
