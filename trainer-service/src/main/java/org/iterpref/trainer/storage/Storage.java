package org.iterpref.trainer.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.iterpref.trainer.config.FineTuningProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The storage root ({@code iterpref.trainer.storage}): {@code files/<file id>/} holds an upload
 * and its parsed pairs, {@code jobs/<job id>/} a job's pairs, checkpoints and final model. Paths
 * are only ever built from ids the service made, and checked to stay under the root.
 */
@Component
public class Storage implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(Storage.class);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final Path root;
    private final boolean temporary;

    public Storage(FineTuningProperties properties) {
        try {
            temporary = properties.storage().isEmpty();
            Path dir = temporary ? Files.createTempDirectory("iterpref-trainer-") : Path.of(properties.storage());
            Files.createDirectories(dir);
            root = dir.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("iterpref.trainer.storage " + properties.storage() + " is not usable", e);
        }
        log.info("fine-tuning storage at {}{}", root, temporary ? " (temporary)" : "");
    }

    public Path root() {
        return root;
    }

    /** {@code files/<id>}, not created. */
    public Path fileDir(String fileId) {
        return root.resolve("files").resolve(checked(fileId));
    }

    /** {@code jobs/<id>}: the job's work directory, the same on every instance and every resume. */
    public Path jobDir(String jobId) {
        return root.resolve("jobs").resolve(checked(jobId));
    }

    /** The relative form of a path under the root, as the database keeps it. */
    public String relative(Path path) {
        Path normalized = path.toAbsolutePath().normalize();
        if (!normalized.startsWith(root)) {
            throw new IllegalArgumentException(path + " is not under the storage root " + root);
        }
        return root.relativize(normalized).toString();
    }

    /** A stored relative path resolved again, if it still lies under the root (links resolved). */
    public java.util.Optional<Path> resolve(String relative) {
        try {
            Path path = root.resolve(relative).normalize();
            if (!path.startsWith(root) || !Files.exists(path)) {
                return java.util.Optional.empty();
            }
            Path real = path.toRealPath();
            return real.startsWith(root) ? java.util.Optional.of(real) : java.util.Optional.empty();
        } catch (IOException | java.nio.file.InvalidPathException e) {
            return java.util.Optional.empty();
        }
    }

    /** Removes a directory tree under the root (a refused upload, a deleted file). */
    public void deleteTree(Path dir) {
        if (dir == null || !dir.toAbsolutePath().normalize().startsWith(root) || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("cannot remove {}", dir, e);
        }
    }

    private static String checked(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not a storage id: " + id);
        }
        return id;
    }

    @Override
    public void destroy() {
        if (temporary) {
            deleteTree(root);
        }
    }
}
