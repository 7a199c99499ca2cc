package org.iterpref.trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Locates the golden fixtures: {@code shared/fixtures} in the working directory or any directory
 * above it — {@code /work/shared/fixtures} beside the main checkout, and {@code <clone>/../shared}
 * in CI. The system property {@code iterpref.fixtures} overrides the search. Shared by every
 * test package of the trainer.
 */
public final class Fixtures {

    private static Path root;

    private Fixtures() {
    }

    public static synchronized Path root() {
        if (root == null) {
            root = locate();
        }
        return root;
    }

    /** {@code models/<name>} in the fixtures. */
    public static Path model(String name) {
        return root().resolve("models").resolve(name);
    }

    /**
     * A writable copy of fixture model {@code name} in {@code target} (the fixtures are read-only,
     * and copying bytes rather than files drops that mode).
     */
    public static Path copyModel(String name, Path target) {
        try (Stream<Path> files = Files.list(model(name))) {
            Files.createDirectories(target);
            for (Path file : files.toList()) {
                Files.write(target.resolve(file.getFileName().toString()), Files.readAllBytes(file));
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path locate() {
        String override = System.getProperty("iterpref.fixtures");
        if (override != null) {
            return requireDirectory(Path.of(override), "system property iterpref.fixtures");
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("fixtures");
            if (Files.isDirectory(candidate.resolve("models"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("golden fixtures not found: no shared/fixtures/models in " + start
                + " or any directory above it (CI keeps a copy of shared/ beside the clone;"
                + " -Diterpref.fixtures=/path/to/fixtures overrides)");
    }

    private static Path requireDirectory(Path dir, String origin) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(origin + " names " + dir + ", which is not a directory");
        }
        return dir;
    }
}
