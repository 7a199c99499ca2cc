package org.iterpref.executor.sandbox.bubblewrap;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.iterpref.executor.sandbox.SandboxException;
import org.iterpref.executor.sandbox.SandboxOutput;
import org.iterpref.executor.sandbox.cgroup.ForkServerCgroup;

/**
 * One long-lived fork server process (see {@code runtime/python/forkserver.py}) and the frame
 * protocol with it. Used by one execution at a time; after a failure it is discarded.
 */
final class ForkServer implements AutoCloseable {

    private static final Pattern TRAILER = Pattern.compile("\"code\":(-?\\d+),\"deadlineExceeded\":(true|false)");
    private static final long WATCHDOG_GRACE_MS = 5_000;
    private static final String READY = "{\"event\":\"ready\"}";
    private static final int MAX_STDERR_BYTES = 16 * 1024;

    private final Process process;
    private final DataInputStream frames;
    private final OutputStream specs;
    private final StderrTail stderr = new StderrTail();
    private final ForkServerCgroup cgroup;
    private final Integer cpu;
    private final Runnable onClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ForkServer(Process process, ForkServerCgroup cgroup, Integer cpu, ExecutorService ioThreads,
                       Runnable onClose) {
        this.process = process;
        this.cgroup = cgroup;
        this.cpu = cpu;
        this.onClose = onClose;
        this.frames = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
        this.specs = process.getOutputStream();
        ioThreads.execute(() -> stderr.drain(process.getErrorStream()));
    }

    /**
     * @param cpu     the core the server runs on (it pins itself), or null
     * @param onClose run once when the server is closed (it gives back the server's CPU slot)
     */
    static ForkServer start(List<String> command, ForkServerCgroup cgroup, Integer cpu, ExecutorService ioThreads,
                            Runnable onClose) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().clear();
            builder.environment().putAll(Map.of("PATH", "/usr/bin:/bin"));
            return new ForkServer(builder.start(), cgroup, cpu, ioThreads, onClose);
        } catch (IOException e) {
            throw new SandboxException("cannot start the fork server (" + command.get(0) + "): " + e.getMessage(), e);
        }
    }

    /** The core this server runs on, or null when it is not pinned. */
    Integer cpu() {
        return cpu;
    }

    /** This server's cgroups, or null without cgroups. */
    ForkServerCgroup cgroup() {
        return cgroup;
    }

    boolean alive() {
        return process.isAlive();
    }

    /**
     * Sends one spec and collects the harness output until the server's trailer. A server that
     * dies or overruns the deadline (plus a grace the server itself should never need) is killed
     * and the output so far returned, marked with exit code -1.
     */
    SandboxOutput execute(byte[] header, byte[] framedSpec, long deadlineMs, int maxStdoutBytes,
                          ScheduledExecutorService watchdog) {
        AtomicBoolean killed = new AtomicBoolean();
        ScheduledFuture<?> timer = watchdog.schedule(() -> {
            killed.set(true);
            process.destroyForcibly();
        }, deadlineMs + WATCHDOG_GRACE_MS, TimeUnit.MILLISECONDS);
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        boolean truncated = false;
        try {
            specs.write(ByteBuffer.allocate(4).putInt(header.length).array());
            specs.write(header);
            specs.write(framedSpec);
            specs.flush();
            while (true) {
                int kind = frames.readUnsignedByte();
                byte[] payload = new byte[frames.readInt()];
                frames.readFully(payload);
                if (kind == 'X') {
                    return trailer(payload, out.toByteArray(), truncated);
                }
                int room = maxStdoutBytes - out.size();
                out.write(payload, 0, Math.max(0, Math.min(room, payload.length)));
                truncated |= payload.length > room;
            }
        } catch (EOFException e) {
            close();
            return new SandboxOutput(-1, out.toByteArray(), "fork server exited: " + stderr.text(), killed.get(),
                    truncated);
        } catch (IOException e) {
            close();
            throw new SandboxException("fork server failed: " + e.getMessage() + " " + stderr.text(), e);
        } finally {
            timer.cancel(false);
        }
    }

    /** Whether the harness reported that it read its whole spec (its first event is "ready"). */
    static boolean specWasRead(SandboxOutput output) {
        byte[] ready = READY.getBytes(StandardCharsets.US_ASCII);
        byte[] out = output.stdout();
        return out.length >= ready.length && java.util.Arrays.equals(out, 0, ready.length, ready, 0, ready.length);
    }

    private SandboxOutput trailer(byte[] payload, byte[] stdout, boolean truncated) {
        Matcher m = TRAILER.matcher(new String(payload, StandardCharsets.UTF_8));
        if (!m.find()) {
            close();
            throw new SandboxException("fork server sent a malformed trailer");
        }
        return new SandboxOutput(Integer.parseInt(m.group(1)), stdout, "", Boolean.parseBoolean(m.group(2)), truncated);
    }

    @Override
    public void close() {
        process.destroyForcibly();
        if (cgroup != null) {
            cgroup.close();
        }
        if (closed.compareAndSet(false, true)) {
            onClose.run();
        }
    }

    /** The last bytes the server wrote on stderr, for diagnostics. */
    private static final class StderrTail {
        private final byte[] ring = new byte[MAX_STDERR_BYTES];
        private int size;

        void drain(InputStream in) {
            byte[] buffer = new byte[4096];
            try (in) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    append(buffer, n);
                }
            } catch (IOException ignored) {
                // the server is gone
            }
        }

        private synchronized void append(byte[] data, int n) {
            if (n >= ring.length) {
                System.arraycopy(data, n - ring.length, ring, 0, ring.length);
                size = ring.length;
                return;
            }
            int keep = Math.min(size, ring.length - n);
            System.arraycopy(ring, size - keep, ring, 0, keep);
            System.arraycopy(data, 0, ring, keep, n);
            size = keep + n;
        }

        synchronized String text() {
            return new String(ring, 0, size, StandardCharsets.UTF_8).strip();
        }
    }
}
