package org.iterpref.generator.support;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import org.iterpref.trainer.TrainerApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
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
        static final ConfigurableApplicationContext CONTEXT = new SpringApplicationBuilder(TrainerApplication.class)
                .run("--server.port=0", "--spring.config.location=" + trainerConfig(),
                        // the generator's JDBC and Flyway are on this classpath; the trainer has no database
                        "--spring.autoconfigure.exclude="
                                + "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
                        "--iterpref.trainer.max-concurrent-requests=2",
                        "--iterpref.trainer.threads=1",
                        "--management.metrics.tags.service=trainer-for-tests");
    }

    private SharedTrainer() {
    }

    public static String baseUrl() {
        return "http://127.0.0.1:" + Holder.CONTEXT.getEnvironment().getProperty("local.server.port");
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

    /**
     * The trainer's own application.yml: on this classpath the generator's file of the same name
     * comes first, so it is copied out of the trainer's classes and named explicitly.
     */
    private static String trainerConfig() {
        try {
            for (URL url : Collections.list(SharedTrainer.class.getClassLoader().getResources("application.yml"))) {
                if (url.toString().contains("trainer-service")) {
                    Path copy = Files.createTempFile("trainer-application", ".yml");
                    try (InputStream in = url.openStream()) {
                        Files.write(copy, in.readAllBytes());
                    }
                    copy.toFile().deleteOnExit();
                    return "file:" + copy;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("the trainer-service's application.yml is not on the test classpath");
    }
}
