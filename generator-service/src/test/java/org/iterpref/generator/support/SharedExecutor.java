package org.iterpref.generator.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import org.iterpref.executor.ExecutorApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The real executor-service (bubblewrap sandbox) on a free port, once for the whole test JVM. */
public final class SharedExecutor {

    private static final class Holder {
        static final ConfigurableApplicationContext CONTEXT = new SpringApplicationBuilder(ExecutorApplication.class)
                .run("--server.port=0", "--spring.config.location=" + executorConfig(),
                        // the generator's JDBC and Flyway are on this classpath; the executor has no database
                        "--spring.autoconfigure.exclude="
                                + "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
                        "--management.metrics.tags.service=executor-for-tests");
    }

    private SharedExecutor() {
    }

    public static String baseUrl() {
        return "http://127.0.0.1:" + Holder.CONTEXT.getEnvironment().getProperty("local.server.port");
    }

    /**
     * The executor's own application.yml: on this classpath the generator's file of the same name
     * comes first, so it is copied out of the executor's classes and named explicitly.
     */
    private static String executorConfig() {
        try {
            for (URL url : Collections.list(SharedExecutor.class.getClassLoader().getResources("application.yml"))) {
                if (url.toString().contains("executor-service")) {
                    Path copy = Files.createTempFile("executor-application", ".yml");
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
        throw new IllegalStateException("the executor-service's application.yml is not on the test classpath");
    }
}
