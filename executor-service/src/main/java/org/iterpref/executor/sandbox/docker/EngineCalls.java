package org.iterpref.executor.sandbox.docker;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.iterpref.executor.sandbox.SandboxException;

/**
 * Synchronous Docker engine calls, each bounded in time whatever the transport: the call runs on
 * an I/O thread and the caller waits at most the timeout; past it the call's thread is
 * interrupted (which closes a unix-socket channel, where socket read timeouts do not apply) and
 * the caller gets a {@link SandboxException}. Exceptions of the call itself pass through.
 */
final class EngineCalls {

    private final ExecutorService threads;
    private final Duration timeout;
    private final String endpoint;

    EngineCalls(ExecutorService threads, Duration timeout, String endpoint) {
        this.threads = threads;
        this.timeout = timeout;
        this.endpoint = endpoint;
    }

    Duration timeout() {
        return timeout;
    }

    /** {@code call}, described as {@code what} in errors ("create a container"), within the call timeout. */
    <T> T call(String what, Supplier<T> call) {
        Future<T> future;
        try {
            future = threads.submit(call::get);
        } catch (RejectedExecutionException e) {
            throw new SandboxException("cannot " + what + ": the sandbox I/O threads are shut down", e);
        }
        try {
            return future.get(timeout.toMillis(), MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new SandboxException("the Docker engine at " + endpoint + " did not answer within "
                    + timeout.toMillis() + " ms when asked to " + what, e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while asking the Docker engine to " + what, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new SandboxException("cannot " + what + ": " + DockerSandbox.describe(cause), cause);
        }
    }

    void run(String what, Runnable call) {
        call(what, () -> {
            call.run();
            return null;
        });
    }
}
