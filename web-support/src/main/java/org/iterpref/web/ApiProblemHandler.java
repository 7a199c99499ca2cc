package org.iterpref.web;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.iterpref.common.problem.FieldError;
import org.iterpref.common.problem.InvalidRequestException;
import org.apache.tomcat.util.http.InvalidParameterException;
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
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * RFC 9457 problem+json for every failure a service's API shares: invalid or too large input
 * ({@code field} names the first field at fault, {@code errors} all of them), malformed JSON with
 * the JSON path of the bad value, bad query parameters, Spring MVC's own errors, and anything
 * unexpected (500, logged, never a stack trace). A database that cannot be reached is a 503 with
 * {@code Retry-After} before any handler here is asked ({@link DatabaseOutageResolver}). Each
 * service extends it with its own
 * {@code @RestControllerAdvice} for its domain exceptions.
 */
public abstract class ApiProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiProblemHandler.class);
    protected static final MediaType PROBLEM = MediaType.APPLICATION_PROBLEM_JSON;

    @ExceptionHandler(InvalidRequestException.class)
    ResponseEntity<ProblemDetail> invalid(InvalidRequestException e) {
        HttpStatus status = e.tooLarge() ? HttpStatus.CONTENT_TOO_LARGE : HttpStatus.BAD_REQUEST;
        return problem(status, e.tooLarge() ? "Content too large" : "Invalid request", e.getMessage(), e.errors());
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> badParameter(MethodArgumentTypeMismatchException e) {
        String detail = "Parameter '" + e.getName() + "' has an invalid value '" + e.getValue() + "'.";
        return problem(HttpStatus.BAD_REQUEST, "Invalid request", detail, List.of(new FieldError(e.getName(), detail)));
    }

    /** A multipart body that cannot be parsed (no boundary, cut short) is the client's error. */
    @ExceptionHandler(MultipartException.class)
    ResponseEntity<ProblemDetail> badMultipart(MultipartException e) {
        String detail = "The multipart request body could not be read.";
        return problem(HttpStatus.BAD_REQUEST, "Malformed request body", detail, List.of(new FieldError("body", detail)));
    }

    /** Tomcat refuses a query it cannot parse (e.g. {@code ?=1}) when a parameter is first read. */
    @ExceptionHandler(InvalidParameterException.class)
    ResponseEntity<ProblemDetail> badQuery(InvalidParameterException e) {
        String detail = "The query string could not be parsed.";
        return problem(HttpStatus.BAD_REQUEST, "Invalid request", detail, List.of(new FieldError("query", detail)));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        log.error("unexpected failure", e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error",
                "The service failed unexpectedly; the failure is logged.", List.of());
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        RequestBodyTooLargeException tooLarge = causeOf(e, RequestBodyTooLargeException.class);
        if (tooLarge != null) {
            return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).contentType(PROBLEM)
                    .body(body(HttpStatus.CONTENT_TOO_LARGE, "Content too large", tooLarge.getMessage(),
                            List.of(new FieldError("body", "too large"))));
        }
        JacksonException jackson = causeOf(e, JacksonException.class);
        String field = jackson == null ? "body" : path(jackson);
        String detail = describe(jackson, field);
        return ResponseEntity.badRequest().contentType(PROBLEM).body(body(HttpStatus.BAD_REQUEST,
                "Malformed request body", detail, List.of(new FieldError(field, detail))));
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        ResponseEntity<Object> response = super.handleExceptionInternal(e, body, headers, status, request);
        return response == null ? null : ResponseEntity.status(response.getStatusCode())
                .headers(response.getHeaders()).contentType(PROBLEM).body(response.getBody());
    }

    /** A problem response; {@code errors} may be empty when no field is at fault. */
    protected static ResponseEntity<ProblemDetail> problem(HttpStatus status, String title, String detail,
                                                           List<FieldError> errors) {
        return ResponseEntity.status(status).contentType(PROBLEM).body(body(status, title, detail, errors));
    }

    protected static ProblemDetail body(HttpStatus status, String title, String detail, List<FieldError> errors) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        problem.setType(URI.create("urn:iterpref:problem:" + title.toLowerCase().replace(' ', '-')));
        if (!errors.isEmpty()) {
            problem.setProperty("field", errors.get(0).field());
            problem.setProperty("errors", errors.stream()
                    .map(err -> Map.of("field", err.field(), "message", err.message())).toList());
        }
        return problem;
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
                path.append(path.isEmpty() ? "" : ".").append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "body" : path.toString();
    }

    private static <T extends Throwable> T causeOf(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
