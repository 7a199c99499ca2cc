package org.iterpref.executor.sandbox.docker;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.iterpref.executor.sandbox.SandboxException;

/**
 * The attached stdout (the harness's protocol) and stderr of a sandbox container, each capped;
 * the frames arrive on docker-java's stream thread.
 */
final class AttachedOutput extends ResultCallback.Adapter<Frame> {

    private final Capped stdout;
    private final Capped stderr;
    private final CountDownLatch attached = new CountDownLatch(1);
    private volatile Throwable error;

    AttachedOutput(int maxStdoutBytes, int maxStderrBytes) {
        this.stdout = new Capped(maxStdoutBytes);
        this.stderr = new Capped(maxStderrBytes);
    }

    @Override
    public void onStart(Closeable stream) {
        super.onStart(stream);
        attached.countDown();
    }

    @Override
    public void onNext(Frame frame) {
        switch (frame.getStreamType()) {
            case STDOUT, RAW -> stdout.append(frame.getPayload());
            case STDERR -> stderr.append(frame.getPayload());
            default -> { }
        }
    }

    /**
     * Ends the stream without the template's error log (a killed container breaks it on
     * purpose) and without keeping the error for {@code awaitCompletion} to throw.
     */
    @Override
    public void onError(Throwable throwable) {
        error = throwable;
        attached.countDown();
        DockerSandbox.closeQuietly(this);
    }

    /** Waits until the engine accepted the attach (the container may be started then). */
    void awaitAttached(Duration timeout) throws InterruptedException {
        if (!attached.await(timeout.toMillis(), MILLISECONDS)) {
            throw new SandboxException("the Docker engine did not attach to the sandbox container within "
                    + timeout.toSeconds() + " s");
        }
        Throwable failure = error;
        if (failure != null) {
            throw new SandboxException("cannot attach to the sandbox container: " + DockerSandbox.describe(failure),
                    failure);
        }
    }

    byte[] stdout() {
        return stdout.bytes();
    }

    boolean stdoutTruncated() {
        return stdout.truncated();
    }

    String stderr() {
        return new String(stderr.bytes(), StandardCharsets.UTF_8);
    }

    /** Keeps at most {@code cap} bytes of a stream and whether more came. */
    private static final class Capped {

        private final int cap;
        private final ByteArrayOutputStream kept;
        private boolean truncated;

        Capped(int cap) {
            this.cap = cap;
            this.kept = new ByteArrayOutputStream(Math.min(cap, 8192));
        }

        synchronized void append(byte[] data) {
            int room = cap - kept.size();
            if (room > 0) {
                kept.write(data, 0, Math.min(room, data.length));
            }
            truncated |= data.length > room;
        }

        synchronized byte[] bytes() {
            return kept.toByteArray();
        }

        synchronized boolean truncated() {
            return truncated;
        }
    }
}
