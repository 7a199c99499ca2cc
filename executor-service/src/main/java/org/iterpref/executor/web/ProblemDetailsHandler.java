package org.iterpref.executor.web;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.iterpref.common.problem.FieldError;
import org.iterpref.common.problem.InvalidRequestException;
import org.iterpref.executor.execution.QueueFullException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Maps every failure to RFC 9457 problem+json. A client error names the field at fault in
 * {@code field} (the first) and {@code errors} (all); no response ever carries a stack trace.
 */
@RestControllerAdvice
class ProblemDetailsHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsHandler.class);
    private static final MediaType PROBLEM = MediaType.APPLICATION_PROBLEM_JSON;

    @ExceptionHandler(InvalidRequestException.class)
    ResponseEntity<ProblemDetail> invalid(InvalidRequestException e) {
        HttpStatus status = e.tooLarge() ? HttpStatus.CONTENT_TOO_LARGE : HttpStatus.BAD_REQUEST;
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, e.getMessage());
        problem.setTitle(e.tooLarge() ? "Content too large" : "Invalid request");
        problem.setType(URI.create(e.tooLarge() ? "urn:iterpref:problem:too-large" : "urn:iterpref:problem:invalid-request"));
        withFields(problem, e.errors());
        return ResponseEntity.status(status).contentType(PROBLEM).body(problem);
    }

    @ExceptionHandler(QueueFullException.class)
    ResponseEntity<ProblemDetail> queueFull(QueueFullException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS, e.getMessage());
        problem.setTitle("Too many executions queued");
        problem.setType(URI.create("urn:iterpref:problem:queue-full"));
        problem.setProperty("retryAfterSeconds", e.retryAfterSeconds());
        return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS).contentType(PROBLEM)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds())).body(problem);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        log.error("unexpected failure", e);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "The executor failed unexpectedly; the failure is logged.");
        problem.setTitle("Internal error");
        return ResponseEntity.internalServerError().contentType(PROBLEM).body(problem);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (causeOf(e, RequestBodyTooLargeException.class) != null) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE,
                    causeOf(e, RequestBodyTooLargeException.class).getMessage());
            problem.setTitle("Content too large");
            withFields(problem, List.of(new FieldError("body", "too large")));
            return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).contentType(PROBLEM).body(problem);
        }
        JacksonException jackson = causeOf(e, JacksonException.class);
        String field = jackson == null ? "body" : path(jackson);
        String detail = describe(jackson, field);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setTitle("Malformed request body");
        problem.setType(URI.create("urn:iterpref:problem:malformed-body"));
        withFields(problem, List.of(new FieldError(field, detail)));
        return ResponseEntity.badRequest().contentType(PROBLEM).body(problem);
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        ResponseEntity<Object> response = super.handleExceptionInternal(e, body, headers, status, request);
        if (response == null) {
            return null;
        }
        return ResponseEntity.status(response.getStatusCode()).headers(response.getHeaders()).contentType(PROBLEM)
                .body(response.getBody());
    }

    private static String describe(JacksonException e, String field) {
        if (e == null) {
            return "The request body is missing or is not JSON.";
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "Unknown field '" + unknown.getPropertyName() + "' at " + field + ".";
        }
        String location = e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        if (e instanceof StreamReadException) {
            return "Malformed JSON" + location + ": " + e.getOriginalMessage();
        }
        return "Wrong type or value at " + field + location + ": " + e.getOriginalMessage();
    }

    /** Jackson's reference path as a JSON path: {@code executions[2].limits.wallTimeMs}. */
    private static String path(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "body" : path.toString();
    }

    private static void withFields(ProblemDetail problem, List<FieldError> errors) {
        problem.setProperty("field", errors.get(0).field());
        problem.setProperty("errors", errors.stream()
                .map(err -> Map.of("field", err.field(), "message", err.message())).toList());
    }

    private static <T extends Throwable> T causeOf(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
