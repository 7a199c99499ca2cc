package org.iterpref.executor.sandbox.bubblewrap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which core a fork server runs on, and the service's worker thread that drives it with it.
 *
 * <p>An execution is a chain of hand-offs: the worker thread writes the spec and waits, the
 * server's processes run the tests one after the other, the worker reads the result and prepares
 * the next. They never run at once, so they share one core best: each hand-off finds the next
 * one's caches warm, and no step waits in a busy core's queue while another core idles. Servers
 * take the allowed cores in turn (the k-th server the k-th core, modulo their number). This is
 * scheduling, not a limit: a test may move itself to any allowed core.
 */
final class CpuPinning {

    private static final Logger log = LoggerFactory.getLogger(CpuPinning.class);
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path THREAD_SELF = Path.of("/proc/thread-self");

    private final List<Integer> cpus;
    private final ThreadLocal<Integer> pinned = new ThreadLocal<>();

    private CpuPinning(List<Integer> cpus) {
        this.cpus = List.copyOf(cpus);
    }

    /** The cores this service may run on (its Cpus_allowed_list), or none where /proc does not say. */
    static CpuPinning ofThisProcess() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return new CpuPinning(parseList(line.substring(line.indexOf(':') + 1).strip()));
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("no CPU list for pinning: {}", e.getMessage());
        }
        return new CpuPinning(List.of());
    }

    /** "0-3,8,10-11" as [0, 1, 2, 3, 8, 10, 11]. */
    static List<Integer> parseList(String list) {
        List<Integer> cpus = new ArrayList<>();
        for (String part : list.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] range = part.strip().split("-");
            int from = Integer.parseInt(range[0]);
            int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
            for (int cpu = from; cpu <= to; cpu++) {
                cpus.add(cpu);
            }
        }
        return cpus;
    }

    /** The core of the server in this slot, or null when the allowed cores are unknown. */
    Integer cpuForSlot(int slot) {
        return cpus.isEmpty() ? null : cpus.get(slot % cpus.size());
    }

    /**
     * Moves the calling thread to this core (once per thread and core: {@code taskset} on the
     * thread's own id). A failure only costs speed, so it is logged, never thrown.
     */
    void pinCurrentThread(int cpu) {
        Integer current = pinned.get();
        if (current != null && current == cpu) {
            return;
        }
        pinned.set(cpu);
        try {
            String tid = Files.readSymbolicLink(THREAD_SELF).getFileName().toString();
            Process p = new ProcessBuilder("taskset", "-p", "-c", Integer.toString(cpu), tid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(2, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                log.debug("taskset could not pin thread {} to CPU {}", tid, cpu);
            }
        } catch (IOException | RuntimeException e) {
            log.debug("cannot pin {} to CPU {}: {}", Thread.currentThread().getName(), cpu, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
