package org.iterpref.localdb;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform's one local PostgreSQL server (the main job's database): a real server from Maven
 * Central binaries on a persistent data directory, listening on 127.0.0.1 only, with a database
 * and a login role of the same name per service. A second start reuses the data; a server left
 * running by a killed earlier start is stopped first. It serves until the process is stopped
 * (SIGTERM or Ctrl-C), then shuts the server down.
 *
 * <pre>java -jar local-postgres.jar [--data-dir DIR] [--port N] [--database NAME]...</pre>
 */
public final class LocalPostgres {

    private static final Logger log = LoggerFactory.getLogger(LocalPostgres.class);

    private LocalPostgres() {
    }

    public static void main(String[] args) throws Exception {
        LocalPostgresOptions options;
        try {
            options = LocalPostgresOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("local-postgres: " + e.getMessage());
            System.err.println(LocalPostgresOptions.USAGE);
            System.exit(2);
            return;
        }
        EmbeddedPostgres postgres = start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            close(postgres);
            stopped.countDown();
        }, "local-postgres-stop"));
        log.info("local PostgreSQL ready on 127.0.0.1:{} (data {}), databases {}", postgres.getPort(),
                options.dataDirectory(), String.join(", ", options.databases()));
        stopped.await();
    }

    /** Starts the server on the options' data directory and port and makes sure each database exists. */
    public static EmbeddedPostgres start(LocalPostgresOptions options) throws IOException, SQLException {
        Files.createDirectories(options.dataDirectory());
        StalePostmaster.stopIfRunning(options.dataDirectory());
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(options.dataDirectory())
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setPort(options.port())
                .setServerConfig("listen_addresses", "127.0.0.1")
                .start();
        try {
            new ServiceDatabases(postgres.getPostgresDatabase()).ensure(options.databases());
        } catch (SQLException | RuntimeException e) {
            close(postgres);
            throw e;
        }
        return postgres;
    }

    /** The JDBC URL of one service's database on the server. */
    public static String jdbcUrl(int port, String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    static Path defaultDataDirectory() {
        return Path.of(System.getProperty("user.home"), ".iterpref", "postgres");
    }

    private static void close(EmbeddedPostgres postgres) {
        try {
            postgres.close();
            log.info("local PostgreSQL stopped");
        } catch (IOException e) {
            log.warn("stopping PostgreSQL failed: {}", e.toString());
        }
    }
}
