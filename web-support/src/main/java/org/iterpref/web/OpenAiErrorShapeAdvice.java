package org.iterpref.web;

import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * On OpenAI paths, Spring MVC's own errors (405, 404, 415 … raised before any controller of the
 * path is chosen, so no controller advice of that path applies) in OpenAI's error shape, as every
 * other error there.
 */
@ControllerAdvice
class OpenAiErrorShapeAdvice implements ResponseBodyAdvice<Object> {

    private final ErrorBodies bodies;

    OpenAiErrorShapeAdvice(ErrorBodies bodies) {
        this.bodies = bodies;
    }

    @Override
    public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public Object beforeBodyWrite(Object body, MethodParameter returnType, MediaType selectedContentType,
                                  Class<? extends HttpMessageConverter<?>> selectedConverterType,
                                  ServerHttpRequest request, ServerHttpResponse response) {
        if (!(body instanceof ProblemDetail problem) || !(request instanceof ServletServerHttpRequest servlet)
                || !bodies.isOpenAiPath(servlet.getServletRequest().getRequestURI())) {
            return body;
        }
        Object field = problem.getProperties() == null ? null : problem.getProperties().get("field");
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        return ErrorBodies.openAi(problem.getStatus(), problem.getDetail() != null ? problem.getDetail()
                : ErrorBodies.genericDetail(problem.getStatus()), field == null ? null : field.toString());
    }
}
