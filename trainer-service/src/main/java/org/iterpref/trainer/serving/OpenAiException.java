package org.iterpref.trainer.serving;

import org.springframework.http.HttpStatus;

/** A failure answered in OpenAI's error shape: {@code {"error":{"message","type","param","code"}}}. */
public class OpenAiException extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String param;
    private final String code;

    public OpenAiException(HttpStatus status, String type, String message, String param, String code) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400 invalid_request_error about {@code param}. */
    public static OpenAiException invalid(String param, String message) {
        return new OpenAiException(HttpStatus.BAD_REQUEST, "invalid_request_error", message, param, null);
    }

    public HttpStatus status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }
}
