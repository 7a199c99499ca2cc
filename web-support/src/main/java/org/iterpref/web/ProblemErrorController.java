package org.iterpref.web;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * The error page for answers the servlet container or a filter sent without a body (e.g. TRACE,
 * which Tomcat refuses itself, or {@code sendError}): the caller's error shape instead of Spring
 * Boot's {@code {"timestamp","status","error","path"}}, and never the exception's message. Asked
 * for directly, {@code /error} is nothing: 404. Not an API operation, so not in the OpenAPI document.
 */
@Hidden
@Controller
@RequestMapping("${server.error.path:${error.path:/error}}")
class ProblemErrorController implements ErrorController {

    private final ErrorBodies bodies;

    ProblemErrorController(ErrorBodies bodies) {
        this.bodies = bodies;
    }

    @RequestMapping
    @ResponseBody
    ResponseEntity<Map<String, Object>> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        boolean dispatched = request.getDispatcherType() == DispatcherType.ERROR && code != null;
        int status = !dispatched ? 404 : code instanceof Integer i && i >= 400 ? i : 500;
        String path = dispatched ? (String) request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI)
                : request.getRequestURI();
        boolean openAi = bodies.isOpenAiPath(path);
        return ResponseEntity.status(status)
                .contentType(openAi ? MediaType.APPLICATION_JSON : MediaType.APPLICATION_PROBLEM_JSON)
                .body(bodies.body(path, status, ErrorBodies.title(status), ErrorBodies.genericDetail(status), null));
    }
}
