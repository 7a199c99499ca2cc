package org.iterpref.cli.report;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code chromium}, headless, as root (no sandbox), with its own profile in a temporary
 * directory: each call is one browser process tree, killed whole when it outlasts its time.
 */
final class HeadlessChromium {

    private final Path binary;
    private final Path work;
    private final int width;
    private final int height;

    HeadlessChromium(Path binary, Path work, int width, int height) {
        this.binary = binary;
        this.work = work;
        this.width = width;
        this.height = height;
    }

    /** {@code chromium} on the PATH (or {@code $CHROMIUM}). */
    static Optional<Path> find() {
        String explicit = System.getenv("CHROMIUM");
        if (explicit != null && !explicit.isBlank()) {
            return Optional.of(Path.of(explicit)).filter(Files::isExecutable);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "chromium");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The DOM of {@code page} after its load, scripts run. */
    String dumpDom(Path page) throws IOException, InterruptedException {
        Path out = work.resolve("dom.html");
        run(out, "--dump-dom", page.toUri().toString());
        return Files.readString(out);
    }

    /** A PNG of the viewport showing {@code page}. */
    Path screenshot(Path page) throws IOException, InterruptedException {
        Path png = work.resolve("screenshot.png");
        run(work.resolve("screenshot.log"), "--screenshot=" + png, page.toUri().toString());
        return png;
    }

    private void run(Path stdout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + work.resolve("profile"), "--window-size=" + width + "," + height,
                "--force-device-scale-factor=1", "--hide-scrollbars", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-dev-shm-usage", "--mute-audio"));
        command.addAll(List.of(args));
        Path stderr = work.resolve("chromium.err");
        Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile())).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            throw new IllegalStateException("chromium did not finish within 30 s: " + command);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("chromium exited " + p.exitValue() + ": " + tail(stderr));
        }
    }

    private static String tail(Path file) throws IOException {
        String text = Files.exists(file) ? Files.readString(file) : "";
        return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
    }
}
