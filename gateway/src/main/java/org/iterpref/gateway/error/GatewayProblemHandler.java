package org.iterpref.gateway.error;

import java.util.List;
import org.iterpref.common.problem.FieldError;
import org.iterpref.gateway.key.UnknownKeyException;
import org.iterpref.web.ApiProblemHandler;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** problem+json for the gateway's own endpoints ({@code /admin/keys}) and unmatched paths. */
@RestControllerAdvice
class GatewayProblemHandler extends ApiProblemHandler {

    @ExceptionHandler(UnknownKeyException.class)
    ResponseEntity<ProblemDetail> unknownKey(UnknownKeyException e) {
        return problem(HttpStatus.NOT_FOUND, "Not found", e.getMessage(), List.of(new FieldError("id", "no such key")));
    }
}
