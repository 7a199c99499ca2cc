package org.iterpref.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time so far, from Linux's {@code /proc}: the whole machine's busy time (every core; time the
 * hypervisor stole is not counted: it is not this machine's work) and this JVM's threads, grouped
 * by name. Two samples around a pass say where its CPU went: throughput on a machine whose cores
 * are all busy is CPU per execution, whoever spent it (the benchmark's own JVM, which hosts both
 * the HTTP clients and the service, the sandboxes, the kernel's own threads).
 *
 * @param machineTicks busy clock ticks of all cores (user, nice, system, irq, softirq)
 * @param stolenTicks  ticks the hypervisor took
 * @param threadTicks  this JVM's user + system ticks per thread group ("C2 CompilerThread", "GC Thread", ...)
 */
record CpuSample(long machineTicks, long stolenTicks, Map<String, Long> threadTicks) {

    /** Linux's USER_HZ: /proc reports times in hundredths of a second on every architecture Java runs on here. */
    private static final double MS_PER_TICK = 10.0;

    static CpuSample take() {
        long busy = 0;
        long stolen = 0;
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            for (int i : new int[] {1, 2, 3, 6, 7}) {
                busy += Long.parseLong(cpu[i]);
            }
            stolen = cpu.length > 8 ? Long.parseLong(cpu[8]) : 0;
        } catch (IOException | RuntimeException e) {
            return new CpuSample(-1, -1, Map.of());
        }
        Map<String, Long> threads = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    threads.merge(group(name), Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            });
        } catch (IOException e) {
            // no per-thread figures
        }
        return new CpuSample(busy, stolen, threads);
    }

    /** "GC Thread#1" and "GC Thread#0" are one group; so are "worker-3" and "worker-12". */
    static String group(String threadName) {
        return threadName.replaceAll("[#-]?\\d+$", "").replaceAll("\\d+$", "").strip();
    }

    /** Milliseconds of CPU per execution between {@code before} and this sample. */
    Usage since(CpuSample before, int executions) {
        if (machineTicks < 0 || before.machineTicks < 0 || executions == 0) {
            return new Usage(Double.NaN, Double.NaN, Double.NaN, Map.of());
        }
        Map<String, Double> groups = new LinkedHashMap<>();
        long jvm = 0;
        for (Map.Entry<String, Long> e : threadTicks.entrySet()) {
            // threads that ended between the samples are missing from both sides' sums: a
            // thread pool's threads live through a pass
            long used = e.getValue() - before.threadTicks.getOrDefault(e.getKey(), 0L);
            if (used > 0) {
                groups.put(e.getKey(), used * MS_PER_TICK / executions);
                jvm += used;
            }
        }
        Map<String, Double> sorted = new LinkedHashMap<>();
        groups.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return new Usage((machineTicks - before.machineTicks) * MS_PER_TICK / executions,
                (stolenTicks - before.stolenTicks) * MS_PER_TICK / executions, jvm * MS_PER_TICK / executions,
                sorted);
    }

    /**
     * CPU milliseconds per execution during one pass.
     *
     * @param machineMs every core's busy time
     * @param stolenMs  time the hypervisor took (not in machineMs)
     * @param jvmMs     this JVM's threads (the HTTP clients and the service, or the bare side's process launcher)
     * @param jvmGroups jvmMs by thread group, largest first
     */
    record Usage(double machineMs, double stolenMs, double jvmMs, Map<String, Double> jvmGroups) {
    }
}
