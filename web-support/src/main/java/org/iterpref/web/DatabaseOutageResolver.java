package org.iterpref.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.iterpref.web.db.DatabaseOutage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;
import tools.jackson.databind.json.JsonMapper;

/**
 * A request that failed because the database is unreachable ({@link DatabaseOutage}) answers 503
 * with {@code Retry-After: 2}, in the caller's shape (problem+json, OpenAI's on OpenAI paths),
 * naming no SQL and no stack. It runs before every {@code @ExceptionHandler}, so a service's own
 * catch-all (a 500) never sees a database restart.
 */
public final class DatabaseOutageResolver implements HandlerExceptionResolver, Ordered {

    public static final String RETRY_AFTER_SECONDS = "2";
    static final String DETAIL = "The database is unavailable; retry shortly.";
    private static final Logger log = LoggerFactory.getLogger(DatabaseOutageResolver.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ErrorBodies bodies;

    public DatabaseOutageResolver(ErrorBodies bodies) {
        this.bodies = bodies;
    }

    @Override
    public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler,
                                         Exception e) {
        if (!DatabaseOutage.causedBy(e) || response.isCommitted()) {
            return null;
        }
        log.warn("{} {} failed, the database is unavailable: {}", request.getMethod(), request.getRequestURI(),
                e.toString());
        String path = request.getRequestURI();
        int status = HttpStatus.SERVICE_UNAVAILABLE.value();
        try {
            response.resetBuffer();
            response.setStatus(status);
            response.setHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
            response.setContentType((bodies.isOpenAiPath(path) ? MediaType.APPLICATION_JSON
                    : MediaType.APPLICATION_PROBLEM_JSON).toString());
            response.getOutputStream().write(JSON.writeValueAsBytes(
                    bodies.body(path, status, "Service unavailable", DETAIL, null)));
        } catch (IOException | IllegalStateException writeFailed) {
            log.debug("the 503 could not be written: {}", writeFailed.toString());
        }
        return new ModelAndView();
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 1; // after Boot's DefaultErrorAttributes, before @ExceptionHandler
    }
}
