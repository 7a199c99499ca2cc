package org.iterpref.generator.web;

import java.util.List;
import org.iterpref.generator.execution.RelayFailedException;
import org.iterpref.common.problem.FieldError;
import org.iterpref.generator.pair.PairExportFailedException;
import org.iterpref.generator.run.IdempotencyKey;
import org.iterpref.generator.run.IdempotencyKeyReusedException;
import org.iterpref.web.ApiProblemHandler;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The shared problem mapping, plus 404, 409, 422 (an idempotency key reused) and 503 (busy) for the generator's resources, a failed
 * export left unanswered, and the relayed executions' own failures (502, 503, 504).
 */
@RestControllerAdvice
class ProblemDetailsHandler extends ApiProblemHandler {

    @ExceptionHandler(NotFoundException.class)
    ResponseEntity<ProblemDetail> notFound(NotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, "Not found", e.getMessage(), List.of());
    }

    /**
     * Not answered: the export's 200 and first lines are sent already, and only an exception that
     * reaches the container makes it abort the connection (no terminating chunk), which clients see
     * as an error. An answer here would end the export as if it were complete.
     */
    @ExceptionHandler(PairExportFailedException.class)
    void exportFailed(PairExportFailedException e) {
        throw e;
    }

    @ExceptionHandler(BusyException.class)
    ResponseEntity<ProblemDetail> busy(BusyException e) {
        ProblemDetail body = body(HttpStatus.SERVICE_UNAVAILABLE, "Busy", e.getMessage(), List.of());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).contentType(PROBLEM)
                .header("Retry-After", Integer.toString(e.retryAfterSeconds())).body(body);
    }

    @ExceptionHandler(IdempotencyKeyReusedException.class)
    ResponseEntity<ProblemDetail> idempotencyKeyReused(IdempotencyKeyReusedException e) {
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency key reused", e.getMessage(),
                List.of(new FieldError(IdempotencyKey.HEADER, "already used with a different request")));
    }

    @ExceptionHandler(ConflictException.class)
    ResponseEntity<ProblemDetail> conflict(ConflictException e) {
        return problem(HttpStatus.CONFLICT, "Conflict", e.getMessage(), List.of());
    }

    @ExceptionHandler(RelayFailedException.class)
    ResponseEntity<ProblemDetail> relayFailed(RelayFailedException e) {
        String title = switch (e.status()) {
            case SERVICE_UNAVAILABLE -> "Executor unavailable";
            case GATEWAY_TIMEOUT -> "Executor timeout";
            case BAD_GATEWAY -> "Executor failed";
            default -> "Refused by the executor";
        };
        return problem(e.status(), title, e.getMessage(), List.of());
    }
}
