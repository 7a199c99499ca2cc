package org.iterpref.generator.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The bundled example tasks ({@code examples/tasks/iterpref-examples.jsonl}) as JSONL text. */
public final class ExampleTasks {

    private ExampleTasks() {
    }

    public static String jsonl() {
        Path file = Path.of("").toAbsolutePath();
        for (Path dir = file; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("examples/tasks/iterpref-examples.jsonl");
            if (Files.exists(candidate)) {
                try {
                    return Files.readString(candidate);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException("examples/tasks/iterpref-examples.jsonl not found above " + file);
    }

    /** The first {@code n} example tasks. */
    public static String first(int n) {
        return String.join("\n", jsonl().lines().filter(l -> !l.isBlank()).limit(n).toList()) + "\n";
    }
}
