package org.iterpref.executor.sandbox.bubblewrap;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.iterpref.executor.sandbox.SandboxOutput;

/**
 * Idle fork servers, at most one per concurrent execution. A server is taken for one execution
 * and given back only if it is still healthy; a new one starts when none is idle.
 */
final class ForkServerPool implements AutoCloseable {

    private final ConcurrentLinkedQueue<ForkServer> idle = new ConcurrentLinkedQueue<>();
    private final Supplier<List<String>> command;
    private final ExecutorService ioThreads;
    private final ScheduledExecutorService watchdog;

    ForkServerPool(Supplier<List<String>> command, ExecutorService ioThreads) {
        this.command = command;
        this.ioThreads = ioThreads;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fork-server-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    SandboxOutput execute(byte[] header, byte[] framedSpec, long deadlineMs, int maxStdoutBytes) {
        ForkServer server = take();
        boolean healthy = false;
        try {
            SandboxOutput output = server.execute(header, framedSpec, deadlineMs, maxStdoutBytes, watchdog);
            // the harness reads the spec that follows the header itself: unless it said it read
            // it all, the next header could be read from the middle of this spec
            healthy = server.alive() && output.exitCode() != -1 && ForkServer.specWasRead(output);
            return output;
        } finally {
            if (healthy) {
                idle.add(server);
            } else {
                server.close();
            }
        }
    }

    private ForkServer take() {
        for (ForkServer server = idle.poll(); server != null; server = idle.poll()) {
            if (server.alive()) {
                return server;
            }
            server.close();
        }
        return ForkServer.start(command.get(), ioThreads);
    }

    @Override
    public void close() {
        idle.forEach(ForkServer::close);
        idle.clear();
        watchdog.shutdownNow();
    }
}
