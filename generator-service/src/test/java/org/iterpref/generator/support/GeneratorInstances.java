package org.iterpref.generator.support;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.iterpref.generator.GeneratorApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Whole generator instances in this JVM, started and stopped by a test against one database of
 * the shared PostgreSQL: 2 workers, 3-second leases, one executor attempt, and a model server
 * {@code down} that nothing answers. Extra {@code --name=value} arguments replace the defaults.
 */
public final class GeneratorInstances {

    private GeneratorInstances() {
    }

    public static ConfigurableApplicationContext start(String database, String executorUrl, String... extra) {
        Map<String, String> args = new LinkedHashMap<>();
        for (String arg : List.of("--server.port=0", "--spring.profiles.active=test",
                "--spring.datasource.url=" + SharedPostgres.jdbcUrl(database),
                "--spring.datasource.username=" + SharedPostgres.user(),
                "--spring.datasource.password=" + SharedPostgres.password(),
                "--iterpref.generator.executor.base-url=" + executorUrl, "--iterpref.generator.workers=2",
                "--iterpref.generator.lease-seconds=3", "--iterpref.generator.executor.max-attempts=1",
                "--iterpref.generator.model-servers.down.base-url=http://127.0.0.1:9/v1")) {
            args.put(arg.substring(0, arg.indexOf('=')), arg);
        }
        for (String arg : extra) {
            args.put(arg.substring(0, arg.indexOf('=')), arg);
        }
        return new SpringApplicationBuilder(GeneratorApplication.class).run(args.values().toArray(String[]::new));
    }

    public static GeneratorClient client(ConfigurableApplicationContext context) {
        return new GeneratorClient(Integer.parseInt(context.getEnvironment().getProperty("local.server.port")));
    }
}
