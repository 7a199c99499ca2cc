package org.iterpref.web;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tomcat's own error answers (a request line or headers too large or malformed, a method Tomcat
 * does not implement) in the caller's error shape instead of Tomcat's HTML page. A method Tomcat
 * does not implement (CONNECT) is the client's error: 405, not 501.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private ErrorBodies bodies = new ErrorBodies(List.of());

    public void setBodies(ErrorBodies bodies) {
        this.bodies = bodies;
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        if (status == 501) {
            status = 405;
            response.setStatus(status);
        }
        String path = safePath(request);
        boolean openAi = bodies.isOpenAiPath(path);
        try {
            response.setContentType(openAi ? "application/json" : "application/problem+json");
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(JSON.writeValueAsString(bodies.body(path, status, ErrorBodies.title(status),
                        ErrorBodies.genericDetail(status), null)));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client is gone or the response is closed: nothing more can be said
        }
    }

    /** The path, or what Tomcat read of it; null when not even that (the caller's shape is then the default). */
    private static String safePath(Request request) {
        try {
            String uri = request.getRequestURI();
            if (uri == null || uri.isEmpty()) {
                uri = request.getCoyoteRequest().requestURI().toString();
            }
            return uri == null || uri.isEmpty() ? null : uri;
        } catch (RuntimeException unparsed) {
            return null;
        }
    }
}
