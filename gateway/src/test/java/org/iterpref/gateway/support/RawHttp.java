package org.iterpref.gateway.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 written by hand, for requests a well-behaved client would never send. */
public final class RawHttp {

    private RawHttp() {
    }

    /** Sends {@code requestLine} and {@code headers} (each "Name: value") with Connection: close; returns status + body. */
    public static Response send(int port, String requestLine, String... headers) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            StringBuilder request = new StringBuilder(requestLine).append("\r\n");
            boolean hasHost = false;
            for (String header : headers) {
                request.append(header).append("\r\n");
                hasHost |= header.toLowerCase().startsWith("host:");
            }
            if (!hasHost) {
                request.append("Host: 127.0.0.1:").append(port).append("\r\n");
            }
            request.append("Connection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            int bodyStart = text.indexOf("\r\n\r\n");
            return new Response(status, text.substring(0, Math.max(0, bodyStart)),
                    bodyStart < 0 ? "" : text.substring(bodyStart + 4));
        }
    }

    public record Response(int status, String head, String body) {
    }
}
