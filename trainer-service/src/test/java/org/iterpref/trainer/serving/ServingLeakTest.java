package org.iterpref.trainer.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.iterpref.trainer.TrainerApplication;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * 1,000 requests of every kind leave no native arrays behind (each call's scratch and KV cache is
 * freed with its scope), and the process's resident memory stays flat.
 */
@SpringBootTest(classes = TrainerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ServingLeakTest {

    private static final String CHAT = "[{\"role\":\"user\",\"content\":\"def add(a, b):\"}]";
    private static final List<String[]> REQUESTS = List.of(
            new String[] {"/v1/completions", "{\"model\":\"tiny-qwen2\",\"prompt\":\"def f(x):\",\"max_tokens\":6,"
                    + "\"temperature\":0}"},
            new String[] {"/v1/completions", "{\"model\":\"tiny-qwen2\",\"prompt\":[1,2,3,4],\"max_tokens\":6,"
                    + "\"temperature\":0.8,\"seed\":5,\"n\":2,\"logprobs\":3}"},
            new String[] {"/v1/completions", "{\"model\":\"tiny-qwen2\",\"prompt\":\"x = 1\",\"max_tokens\":2,"
                    + "\"echo\":true,\"logprobs\":2,\"temperature\":0}"},
            new String[] {"/v1/chat/completions", "{\"model\":\"tiny-qwen2\",\"messages\":" + CHAT
                    + ",\"max_tokens\":6,\"logprobs\":true,\"top_logprobs\":1}"},
            new String[] {"/v1/chat/completions", "{\"model\":\"tiny-qwen2\",\"messages\":" + CHAT
                    + ",\"max_tokens\":6,\"stream\":true}"},
            new String[] {"/v1/completions", "{\"model\":\"tiny-qwen2\",\"prompt\":\"y\",\"max_tokens\":99999}"});

    @LocalServerPort
    int port;

    @Autowired
    ModelRegistry registry;

    @Test
    void aThousandRequestsLeaveNoArraysBehind() throws Exception {
        ApiClient api = new ApiClient(port);
        long weightsOnly = registry.liveArrays();
        assertThat(weightsOnly).isPositive();
        for (int i = 0; i < 60; i++) {
            send(api, i);
        }
        long nativeAfterWarmUp = nativeKiB();
        for (int i = 0; i < 1000; i++) {
            send(api, i);
        }
        long growthMiB = (nativeKiB() - nativeAfterWarmUp) / 1024;
        assertThat(registry.liveArrays()).as("native arrays after 1,060 requests").isEqualTo(weightsOnly);
        assertThat(growthMiB).as("resident memory outside the JVM's heaps growth over 1,000 requests (MiB)")
                .isLessThan(128);
    }

    private static void send(ApiClient api, int i) throws Exception {
        String[] request = REQUESTS.get(i % REQUESTS.size());
        if (request[1].contains("\"stream\":true")) {
            ApiClient.Events events = api.stream(request[0], request[1]);
            assertThat(events.done()).isTrue();
        } else {
            ApiClient.Reply reply = api.post(request[0], request[1]);
            assertThat(reply.status()).isEqualTo(request[1].contains("99999") ? 400 : 200);
        }
    }

    /**
     * VmRSS of this process less the memory the JVM has committed to its heap, its other pools and
     * its direct buffers, in KiB: the native memory PyTorch holds, and whatever else lives outside
     * the JVM's accounts. The JVM's own growth (a heap that expands while the database polls and
     * Hibernate caches) is not a leak of the model code.
     */
    private static long nativeKiB() throws IOException {
        java.lang.management.MemoryMXBean memory = java.lang.management.ManagementFactory.getMemoryMXBean();
        long jvm = memory.getHeapMemoryUsage().getCommitted() + memory.getNonHeapMemoryUsage().getCommitted();
        for (java.lang.management.BufferPoolMXBean pool
                : java.lang.management.ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)) {
            jvm += pool.getMemoryUsed();
        }
        return residentKiB() - jvm / 1024;
    }

    /** VmRSS of this process, in KiB. */
    private static long residentKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
