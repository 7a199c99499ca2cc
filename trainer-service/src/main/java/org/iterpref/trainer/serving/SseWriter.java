package org.iterpref.trainer.serving;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.json.JsonMapper;

/**
 * Server-Sent Events as the OpenAI API streams them: {@code data: <json>\n\n} per chunk, flushed at
 * once, and {@code data: [DONE]\n\n} at the end. A failed write (the client went away) surfaces as
 * an {@link UncheckedIOException}, which ends the generation that produced the chunk.
 */
final class SseWriter {

    private final OutputStream out;
    private final JsonMapper json;

    SseWriter(OutputStream out, JsonMapper json) {
        this.out = out;
        this.json = json;
    }

    void send(Object chunk) {
        write("data: " + json.writeValueAsString(chunk) + "\n\n");
    }

    void done() {
        write("data: [DONE]\n\n");
    }

    private void write(String event) {
        try {
            out.write(event.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the client went away", e);
        }
    }
}
