package org.iterpref.trainer.serving;

import java.util.LinkedHashMap;
import java.util.Map;
import org.iterpref.web.RequestBodyTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;

/**
 * OpenAI's error shape ({@code {"error":{"message","type","param","code"}}}, application/json) for
 * the OpenAI-compatible controllers (serving, files, fine-tuning jobs); the rest of the service
 * answers problem+json.
 */
@RestControllerAdvice(basePackages = {"org.iterpref.trainer.serving", "org.iterpref.trainer.files",
        "org.iterpref.trainer.finetune"})
@Order(Ordered.HIGHEST_PRECEDENCE)
class OpenAiErrorHandler {

    private static final Logger log = LoggerFactory.getLogger(OpenAiErrorHandler.class);

    @ExceptionHandler(OpenAiException.class)
    ResponseEntity<Map<String, Object>> openAi(OpenAiException e) {
        ResponseEntity.BodyBuilder builder = ResponseEntity.status(e.status()).contentType(MediaType.APPLICATION_JSON);
        if (e instanceof ConcurrencyLimiter.TooManyRequestsException busy) {
            builder.header(HttpHeaders.RETRY_AFTER, Long.toString(busy.retryAfterSeconds()));
        }
        return builder.body(error(e.getMessage(), e.type(), e.param(), e.code()));
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, Object>> notReadable(HttpMessageNotReadableException e) {
        Throwable cause = e;
        while (cause != null) {
            if (cause instanceof RequestBodyTooLargeException tooLarge) {
                return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).contentType(MediaType.APPLICATION_JSON)
                        .body(error(tooLarge.getMessage(), "invalid_request_error", null, null));
            }
            cause = cause.getCause();
        }
        return ResponseEntity.badRequest().contentType(MediaType.APPLICATION_JSON).body(error(
                "We could not parse the JSON body of your request. The body must be valid JSON.",
                "invalid_request_error", null, null));
    }

    @ExceptionHandler(MaxUploadSizeExceededException.class)
    ResponseEntity<Map<String, Object>> uploadTooLarge(MaxUploadSizeExceededException e) {
        return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.CONNECTION, "close")
                .body(error("The file is larger than this server accepts (iterpref.trainer.max-file-bytes).",
                        "invalid_request_error", "file", "file_too_large"));
    }

    @ExceptionHandler(MultipartException.class)
    ResponseEntity<Map<String, Object>> badMultipart(MultipartException e) {
        return ResponseEntity.badRequest().contentType(MediaType.APPLICATION_JSON).body(error(
                "The request must be multipart/form-data with the fields 'file' and 'purpose'.",
                "invalid_request_error", "file", null));
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Map<String, Object>> badParameter(MethodArgumentTypeMismatchException e) {
        return ResponseEntity.badRequest().contentType(MediaType.APPLICATION_JSON).body(error(
                "Invalid value for '" + e.getName() + "'.", "invalid_request_error", e.getName(), null));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Map<String, Object>> mediaType(HttpMediaTypeNotSupportedException e) {
        return ResponseEntity.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE).contentType(MediaType.APPLICATION_JSON)
                .body(error("The request body must be " + (e.getSupportedMediaTypes().contains(
                        MediaType.MULTIPART_FORM_DATA) ? "multipart/form-data." : "application/json."),
                        "invalid_request_error", null, null));
    }

    /** The client went away mid-response (a stream it stopped reading): nothing can or need be written. */
    @ExceptionHandler(AsyncRequestNotUsableException.class)
    void clientGone(AsyncRequestNotUsableException e) {
        log.debug("client went away: {}", e.getMessage());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, Object>> unexpected(Exception e) {
        log.error("unexpected failure", e);
        return ResponseEntity.internalServerError().contentType(MediaType.APPLICATION_JSON).body(error(
                "The server had an error while processing your request; the failure is logged.", "server_error",
                null, null));
    }

    static Map<String, Object> error(String message, String type, String param, String code) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return Map.of("error", error);
    }
}
