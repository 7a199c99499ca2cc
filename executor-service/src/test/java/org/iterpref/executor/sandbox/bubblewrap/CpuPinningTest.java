package org.iterpref.executor.sandbox.bubblewrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CpuPinningTest {

    @Test
    void parsesTheKernelsCpuLists() {
        assertThat(CpuPinning.parseList("0-3,8,10-11")).containsExactly(0, 1, 2, 3, 8, 10, 11);
        assertThat(CpuPinning.parseList("5")).containsExactly(5);
        assertThat(CpuPinning.parseList("")).isEmpty();
    }

    @Test
    void serversTakeTheAllowedCoresInTurn() {
        CpuPinning pinning = CpuPinning.ofThisProcess();
        int cores = Runtime.getRuntime().availableProcessors();
        Integer first = pinning.cpuForSlot(0);
        assumeTrue(first != null, "no Cpus_allowed_list in /proc/self/status");
        assertThat(pinning.cpuForSlot(cores)).isEqualTo(first);
        if (cores > 1) {
            assertThat(pinning.cpuForSlot(1)).isNotEqualTo(first);
        }
    }

    @Test
    void aThreadPinsOnlyItselfToItsServersCore() throws Exception {
        CpuPinning pinning = CpuPinning.ofThisProcess();
        int cores = Runtime.getRuntime().availableProcessors();
        Integer last = pinning.cpuForSlot(cores - 1);
        assumeTrue(last != null, "no Cpus_allowed_list in /proc/self/status");
        String before = allowed(Path.of("/proc/thread-self/status"));
        AtomicReference<String> inThread = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            pinning.pinCurrentThread(last);
            try {
                inThread.set(allowed(Path.of("/proc/thread-self/status")));
            } catch (Exception e) {
                inThread.set(e.toString());
            }
        });
        worker.start();
        worker.join();
        assertThat(inThread.get()).isEqualTo(Integer.toString(last));
        assertThat(allowed(Path.of("/proc/thread-self/status"))).as("the calling thread is not moved").isEqualTo(before);
    }

    private static String allowed(Path status) throws Exception {
        List<String> lines = Files.readAllLines(status);
        return lines.stream().filter(l -> l.startsWith("Cpus_allowed_list:")).findFirst().orElseThrow()
                .substring("Cpus_allowed_list:".length()).strip();
    }
}
