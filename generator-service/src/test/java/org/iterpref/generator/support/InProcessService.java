package org.iterpref.generator.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts another service of the platform inside the generator's test JVM, as its own Spring
 * context on a random port with its own {@code application.yml} (on this classpath the
 * generator's file of that name comes first, so the service's is copied out of its classes and
 * named explicitly) and without the generator's database auto-configuration.
 */
final class InProcessService {

    private InProcessService() {
    }

    /** Runs {@code application}, whose classes come from {@code module}, with {@code args} added. */
    static ConfigurableApplicationContext start(Class<?> application, String module, String... args) {
        List<String> all = new ArrayList<>(List.of("--server.port=0", "--spring.config.location=" + config(module),
                // the generator's JDBC and Flyway are on this classpath; the other services have no database
                "--spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
                "--management.metrics.tags.service=" + module + "-for-tests"));
        all.addAll(List.of(args));
        return new SpringApplicationBuilder(application).run(all.toArray(String[]::new));
    }

    /** {@code http://127.0.0.1:<port>} of a started service. */
    static String baseUrl(ConfigurableApplicationContext context) {
        return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
    }

    private static String config(String module) {
        try {
            for (URL url : Collections.list(InProcessService.class.getClassLoader().getResources("application.yml"))) {
                if (url.toString().contains(module)) {
                    Path copy = Files.createTempFile(module + "-application", ".yml");
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
        throw new IllegalStateException("the " + module + "'s application.yml is not on the test classpath");
    }
}
