package org.iterpref.gateway.request;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.iterpref.gateway.config.GatewayProperties;
import org.iterpref.gateway.error.ErrorResponses;
import org.iterpref.gateway.error.GatewayError;
import org.iterpref.web.RequestBodyTooLargeException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps request bodies: 413 at once when Content-Length is over the cap, and a chunked body that
 * grows past it fails while it is streamed upstream (the route answers 413 then). Upload paths
 * get the larger upload cap.
 */
public final class RequestSizeFilter extends OncePerRequestFilter {

    private static final String LIMIT_ATTRIBUTE = RequestSizeFilter.class.getName() + ".limit";

    private final GatewayProperties.RequestSize limits;
    private final ErrorResponses errors;

    public RequestSizeFilter(GatewayProperties.RequestSize limits, ErrorResponses errors) {
        this.limits = limits;
        this.errors = errors;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = PathGuardFilter.path(request);
        long max = limits.uploadPaths().contains(path) ? limits.maxUploadBytes() : limits.maxBytes();
        request.setAttribute(LIMIT_ATTRIBUTE, max);
        if (request.getContentLengthLong() > max) {
            response.setHeader("Connection", "close");
            errors.write(path, response, GatewayError.tooLarge(max));
            return;
        }
        chain.doFilter(new CappedRequest(request, max), response);
    }

    /** The body cap that applies to this request. */
    public static long limit(HttpServletRequest request) {
        return request.getAttribute(LIMIT_ATTRIBUTE) instanceof Long max ? max : 0;
    }

    private static final class CappedRequest extends HttpServletRequestWrapper {
        private final long maxBytes;
        private ServletInputStream capped;

        CappedRequest(HttpServletRequest request, long maxBytes) {
            super(request);
            this.maxBytes = maxBytes;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (capped == null) {
                capped = new CappedStream(super.getInputStream(), maxBytes);
            }
            return capped;
        }
    }

    private static final class CappedStream extends ServletInputStream {
        private final ServletInputStream in;
        private final long maxBytes;
        private long read;

        CappedStream(ServletInputStream in, long maxBytes) {
            this.in = in;
            this.maxBytes = maxBytes;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws RequestBodyTooLargeException {
            read += n;
            if (read > maxBytes) {
                throw new RequestBodyTooLargeException(maxBytes);
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
