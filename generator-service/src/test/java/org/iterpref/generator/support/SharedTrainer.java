package org.iterpref.generator.support;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.iterpref.trainer.TrainerApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The real trainer-service serving its bundled {@code tiny-qwen2} model (DJL PyTorch on the CPU)
 * on a free port, started on first use and shared by the whole test JVM. Like
 * {@link SharedExecutor} it is a Spring context of its own with the trainer's own
 * {@code application.yml}; one or two completions at a time, on one PyTorch thread.
 */
public final class SharedTrainer {

    /** The model the trainer serves by default. */
    public static final String MODEL = "tiny-qwen2";

    private static final String CHAT_COMPLETIONS = "/v1/chat/completions";

    private static final class Holder {
        static final ConfigurableApplicationContext CONTEXT = InProcessService.start(TrainerApplication.class,
                "trainer-service", "--iterpref.trainer.max-concurrent-requests=2", "--iterpref.trainer.threads=1");
    }

    private SharedTrainer() {
    }

    /**
     * A trainer of its own (not the shared one) with {@code args}, e.g. a pair-feed allow-list naming
     * a generator's port; the caller closes it.
     */
    public static ConfigurableApplicationContext startDedicated(String... args) {
        return InProcessService.start(TrainerApplication.class, "trainer-service", args);
    }

    /** The base URL of a trainer from {@link #startDedicated}. */
    public static String baseUrl(ConfigurableApplicationContext trainer) {
        return InProcessService.baseUrl(trainer);
    }

    public static String baseUrl() {
        return InProcessService.baseUrl(Holder.CONTEXT);
    }

    /** The OpenAI API root, as the generator's {@code openai} source takes it. */
    public static String apiRoot() {
        return baseUrl() + "/v1";
    }

    /**
     * How many {@code POST /v1/chat/completions} the trainer has answered with 200 so far, from
     * its own {@code http.server.requests} metric.
     */
    public static long chatCompletionsServed() {
        MeterRegistry registry = Holder.CONTEXT.getBean(MeterRegistry.class);
        return registry.find("http.server.requests").tag("uri", CHAT_COMPLETIONS).tag("status", "200")
                .timers().stream().mapToLong(Timer::count).sum();
    }
}
