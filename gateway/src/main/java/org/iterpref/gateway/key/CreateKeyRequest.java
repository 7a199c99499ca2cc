package org.iterpref.gateway.key;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.iterpref.common.problem.FieldError;
import org.iterpref.common.problem.InvalidRequestException;

/** {@code POST /admin/keys}: a name, the scopes, and optionally a rate of its own. */
public record CreateKeyRequest(String name, List<String> scopes, Integer requestsPerMinute, Integer burst) {

    static final int MAX_NAME_LENGTH = 100;
    static final int MAX_RATE = 1_000_000;

    /** The scopes, once every field is checked; throws naming each field at fault. */
    Set<Scope> validate() {
        List<FieldError> errors = new ArrayList<>();
        if (name == null || name.isBlank()) {
            errors.add(new FieldError("name", "is required"));
        } else if (name.length() > MAX_NAME_LENGTH || !name.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
            errors.add(new FieldError("name", "must be at most " + MAX_NAME_LENGTH + " printable characters"));
        }
        Set<Scope> parsed = EnumSet.noneOf(Scope.class);
        if (scopes == null || scopes.isEmpty()) {
            errors.add(new FieldError("scopes", "at least one of read, submit, train, admin"));
        } else if (scopes.size() > Scope.values().length) {
            errors.add(new FieldError("scopes", "at most " + Scope.values().length + " scopes"));
        } else {
            for (int i = 0; i < scopes.size(); i++) {
                Optional<Scope> scope = scopes.get(i) == null ? Optional.empty() : Scope.fromWireName(scopes.get(i));
                if (scope.isPresent()) {
                    parsed.add(scope.get());
                } else {
                    errors.add(new FieldError("scopes[" + i + "]", "must be one of read, submit, train, admin"));
                }
            }
        }
        checkRate("requestsPerMinute", requestsPerMinute, errors);
        checkRate("burst", burst, errors);
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors, false);
        }
        return parsed;
    }

    private static void checkRate(String field, Integer value, List<FieldError> errors) {
        if (value != null && (value < 1 || value > MAX_RATE)) {
            errors.add(new FieldError(field, "must be between 1 and " + MAX_RATE));
        }
    }
}
