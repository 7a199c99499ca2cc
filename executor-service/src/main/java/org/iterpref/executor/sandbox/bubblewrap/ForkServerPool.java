package org.iterpref.executor.sandbox.bubblewrap;

import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.iterpref.executor.sandbox.SandboxInvocation;
import org.iterpref.executor.sandbox.SandboxOutput;
import org.iterpref.executor.sandbox.cgroup.CgroupBind;
import org.iterpref.executor.sandbox.cgroup.CgroupManager;
import org.iterpref.executor.sandbox.cgroup.ExecutionCgroup;
import org.iterpref.executor.sandbox.cgroup.ForkServerCgroup;

/**
 * Idle fork servers, at most one per concurrent execution. A server is taken for one execution
 * and given back only if it is still healthy; a new one starts when none is idle. With cgroups,
 * each server has its own {@code fs-<k>} cgroups, and each execution a fresh {@code exec} one
 * with that execution's limits, removed (whatever is left in it killed) when it ends.
 */
final class ForkServerPool implements AutoCloseable {

    /** The server itself: one idle interpreter and, for a moment, the child it forks. */
    private static final long SERVER_MEMORY_BYTES = 256L * 1024 * 1024;
    private static final long SERVER_PIDS = 16;

    private final ConcurrentLinkedQueue<ForkServer> idle = new ConcurrentLinkedQueue<>();
    private final BiFunction<ForkServerCgroup, Integer, List<String>> command;
    private final CpuPinning pinning;
    /** The server a worker thread used last: it takes it again when it is idle (and stays on its core). */
    private final ThreadLocal<ForkServer> lastServer = new ThreadLocal<>();
    /** The CPU slots of the live servers: a new server takes the lowest free one. */
    private final BitSet cpuSlots = new BitSet();
    private final CgroupManager cgroups;
    private final ExecutorService ioThreads;
    private final ScheduledExecutorService watchdog;
    private final AtomicInteger serverIndex = new AtomicInteger();

    ForkServerPool(BiFunction<ForkServerCgroup, Integer, List<String>> command, CgroupManager cgroups,
                   ExecutorService ioThreads, boolean pinCpus) {
        this.command = command;
        this.pinning = pinCpus ? CpuPinning.ofThisProcess() : null;
        this.cgroups = cgroups;
        this.ioThreads = ioThreads;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fork-server-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    SandboxOutput execute(Map<String, Object> header, SandboxInvocation invocation, long memoryBytes, long maxPids) {
        ForkServer server = take();
        lastServer.set(server);
        if (server.cpu() != null) {
            pinning.pinCurrentThread(server.cpu());
        }
        boolean healthy = false;
        ForkServerCgroup serverCgroup = server.cgroup();
        ExecutionCgroup exec = serverCgroup == null ? null : serverCgroup.newExecution(memoryBytes, maxPids);
        try {
            Map<String, Object> fullHeader = new LinkedHashMap<>(header);
            if (exec != null) {
                fullHeader.put("cgroup", cgroupHeader(serverCgroup));
            }
            long deadlineMs = invocation.limits().totalWallTimeMs();
            SandboxOutput output = server.execute(invocation.runtime().encodeSpec(fullHeader),
                    invocation.framedSpec(), deadlineMs, invocation.maxStdoutBytes(), watchdog);
            // the harness reads the spec that follows the header itself: unless it said it read
            // it all, the next header could be read from the middle of this spec
            healthy = server.alive() && output.exitCode() != -1 && ForkServer.specWasRead(output);
            return output;
        } finally {
            if (exec != null) {
                exec.killAll(); // nothing may outlive its execution; the cgroup itself serves the next one
            }
            if (healthy) {
                idle.add(server);
            } else {
                server.close();
            }
        }
    }

    /** Where, in the server's view, the execution's child moves itself and finds its memory counters. */
    private static Map<String, Object> cgroupHeader(ForkServerCgroup cgroup) {
        List<CgroupBind> binds = cgroup.writableBinds();
        String memory = binds.stream().filter(CgroupBind::holdsMemory).map(CgroupBind::sandboxPath)
                .findFirst().orElseThrow();
        return Map.of("procs", cgroup.execProcsInSandbox(), "memcg", memory + "/exec",
                "mounts", binds.stream().map(CgroupBind::sandboxPath).distinct().toList());
    }

    private ForkServer take() {
        ForkServer mine = lastServer.get();
        if (mine != null && idle.remove(mine)) {
            if (mine.alive()) {
                return mine;
            }
            mine.close();
        }
        for (ForkServer server = idle.poll(); server != null; server = idle.poll()) {
            if (server.alive()) {
                return server;
            }
            server.close();
        }
        ForkServerCgroup cgroup = cgroups == null ? null
                : cgroups.createForkServer(serverIndex.incrementAndGet(), SERVER_MEMORY_BYTES, SERVER_PIDS);
        Integer slot = pinning != null ? takeCpuSlot() : null;
        Integer cpu = slot == null ? null : pinning.cpuForSlot(slot);
        Runnable release = slot == null ? () -> { } : () -> releaseCpuSlot(slot);
        try {
            return ForkServer.start(command.apply(cgroup, cpu), cgroup, cpu, ioThreads, release);
        } catch (RuntimeException e) {
            release.run();
            if (cgroup != null) {
                cgroup.close();
            }
            throw e;
        }
    }

    private synchronized int takeCpuSlot() {
        int slot = cpuSlots.nextClearBit(0);
        cpuSlots.set(slot);
        return slot;
    }

    private synchronized void releaseCpuSlot(int slot) {
        cpuSlots.clear(slot);
    }

    @Override
    public void close() {
        idle.forEach(ForkServer::close);
        idle.clear();
        watchdog.shutdownNow();
    }
}
