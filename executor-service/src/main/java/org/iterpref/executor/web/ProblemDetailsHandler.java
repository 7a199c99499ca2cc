package org.iterpref.executor.web;

import java.util.List;
import org.iterpref.executor.execution.QueueFullException;
import org.iterpref.web.ApiProblemHandler;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** The shared problem mapping, plus 429 with Retry-After when the execution queue is full. */
@RestControllerAdvice
class ProblemDetailsHandler extends ApiProblemHandler {

    @ExceptionHandler(QueueFullException.class)
    ResponseEntity<ProblemDetail> queueFull(QueueFullException e) {
        ProblemDetail problem = body(HttpStatus.TOO_MANY_REQUESTS, "Too many executions queued", e.getMessage(),
                List.of());
        problem.setProperty("retryAfterSeconds", e.retryAfterSeconds());
        return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS).contentType(PROBLEM)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds())).body(problem);
    }
}
