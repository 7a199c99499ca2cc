package org.iterpref.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;

/**
 * Each service ships its own {@code application.yml}; with several services on one classpath the
 * first one wins, so a benchmark names the file of the service it starts explicitly.
 */
final class ServiceConfig {

    /** The generator's JDBC, JPA and Flyway are on the classpath: a service without a database excludes them. */
    static final String NO_DATABASE = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration";

    private ServiceConfig() {
    }

    /** A {@code file:} location of the application.yml inside the module whose path contains {@code module}. */
    static String location(String module) {
        try {
            for (URL url : Collections.list(ServiceConfig.class.getClassLoader().getResources("application.yml"))) {
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
        throw new IllegalStateException("no application.yml of " + module + " on the classpath");
    }
}
