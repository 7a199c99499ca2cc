package org.iterpref.localdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server a killed earlier start left running on the data directory: its {@code postmaster.pid}
 * names a live {@code postgres} process, which holds the directory and the port. It is asked to
 * stop (SIGTERM: PostgreSQL's smart shutdown, then fast after a wait) before the new start. A pid
 * file whose process is gone, or is not a postgres process, is left to PostgreSQL, which treats
 * it as stale.
 */
final class StalePostmaster {

    private static final Logger log = LoggerFactory.getLogger(StalePostmaster.class);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private StalePostmaster() {
    }

    static void stopIfRunning(Path dataDirectory) throws IOException {
        Optional<ProcessHandle> running = running(dataDirectory);
        if (running.isEmpty()) {
            return;
        }
        ProcessHandle postmaster = running.get();
        log.warn("a PostgreSQL server left running on {} (pid {}) is stopped first", dataDirectory, postmaster.pid());
        postmaster.destroy();
        try {
            postmaster.onExit().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            postmaster.destroyForcibly();
            throw new IOException("the PostgreSQL server left running on " + dataDirectory + " (pid "
                    + postmaster.pid() + ") did not stop within " + WAIT.toSeconds() + " s");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the old server to stop");
        }
    }

    /** The live postgres process the data directory's pid file names, if any. */
    static Optional<ProcessHandle> running(Path dataDirectory) throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        if (lines.size() < 2) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).strip());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        Path recorded = Path.of(lines.get(1).strip()).toAbsolutePath().normalize();
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> Path.of(c).getFileName().toString().startsWith("postgres"))
                        .orElse(false))
                .filter(p -> sameDirectory(recorded, dataDirectory));
    }

    private static boolean sameDirectory(Path recorded, Path dataDirectory) {
        try {
            return Files.isSameFile(recorded, dataDirectory);
        } catch (IOException e) {
            return false;
        }
    }
}
