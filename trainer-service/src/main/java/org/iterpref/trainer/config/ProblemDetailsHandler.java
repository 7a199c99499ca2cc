package org.iterpref.trainer.config;

import org.iterpref.web.ApiProblemHandler;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** problem+json for everything but the OpenAI-compatible endpoints (which answer OpenAI's error shape). */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
class ProblemDetailsHandler extends ApiProblemHandler {
}
