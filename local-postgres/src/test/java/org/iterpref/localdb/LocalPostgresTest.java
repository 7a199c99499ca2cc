package org.iterpref.localdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPostgresTest {

    @TempDir
    Path temp;

    @Test
    void eachServiceGetsItsOwnDatabaseAndRoleAndASecondStartKeepsTheData() throws Exception {
        LocalPostgresOptions options = new LocalPostgresOptions(temp.resolve("data"), freePort(),
                List.of("generator", "trainer", "gateway"));
        try (EmbeddedPostgres postgres = LocalPostgres.start(options)) {
            for (String service : options.databases()) {
                try (Connection c = connect(options.port(), service, service); Statement s = c.createStatement()) {
                    s.execute("create table marker (service text)");
                    s.execute("insert into marker values ('" + service + "')");
                    assertThat(single(s, "select current_user")).isEqualTo(service);
                }
            }
            // a service's role reaches its own database only: the generator cannot read the gateway's keys
            assertThatThrownBy(() -> connect(options.port(), "gateway", "generator"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("permission denied for database");
        }
        try (EmbeddedPostgres again = LocalPostgres.start(options)) {
            for (String service : options.databases()) {
                try (Connection c = connect(options.port(), service, service); Statement s = c.createStatement()) {
                    assertThat(single(s, "select service from marker")).isEqualTo(service);
                }
            }
        }
    }

    @Test
    void aServerLeftRunningByAKilledStartIsStoppedAndItsDataKept() throws Exception {
        Path data = temp.resolve("data");
        int port = freePort();
        Process first = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
                LocalPostgres.class.getName(), "--data-dir", data.toString(), "--port", Integer.toString(port),
                "--database", "generator")
                .redirectErrorStream(true).redirectOutput(temp.resolve("first.log").toFile()).start();
        Optional<ProcessHandle> orphan;
        try {
            awaitReady(first, temp.resolve("first.log"));
            try (Connection c = connect(port, "generator", "generator"); Statement s = c.createStatement()) {
                s.execute("create table marker (n int)");
                s.execute("insert into marker values (42)");
            }
            orphan = StalePostmaster.running(data);
            assertThat(orphan).as("the first start's server").isPresent();
        } finally {
            first.destroyForcibly().waitFor();          // SIGKILL: no shutdown hook runs
        }
        assertThat(orphan.get().isAlive()).as("the server outlives the killed start").isTrue();

        LocalPostgresOptions options = new LocalPostgresOptions(data, port, List.of("generator"));
        try (EmbeddedPostgres postgres = LocalPostgres.start(options)) {
            assertThat(orphan.get().isAlive()).isFalse();
            try (Connection c = connect(port, "generator", "generator"); Statement s = c.createStatement()) {
                assertThat(single(s, "select n from marker")).isEqualTo("42");
            }
        }
    }

    @Test
    void optionsAreChecked() {
        assertThat(LocalPostgresOptions.parse(new String[0]).databases()).containsExactly("generator", "trainer", "gateway");
        assertThat(LocalPostgresOptions.parse(new String[] {"--port", "6000", "--database", "a", "--database", "a"})
                .databases()).containsExactly("a");
        assertThatThrownBy(() -> LocalPostgresOptions.parse(new String[] {"--database", "x\"; drop"}))
                .hasMessageContaining("--database");
        assertThatThrownBy(() -> LocalPostgresOptions.parse(new String[] {"--database", "postgres"}))
                .hasMessageContaining("--database");
        assertThatThrownBy(() -> LocalPostgresOptions.parse(new String[] {"--port", "80"})).hasMessageContaining("--port");
        assertThatThrownBy(() -> LocalPostgresOptions.parse(new String[] {"--port", "x"})).hasMessageContaining("--port");
        assertThatThrownBy(() -> LocalPostgresOptions.parse(new String[] {"--verbose"})).hasMessageContaining("--verbose");
    }

    private static void awaitReady(Process process, Path log) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (Instant.now().isBefore(deadline)) {
            if (Files.exists(log) && Files.readString(log).contains("local PostgreSQL ready")) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("local-postgres exited: " + Files.readString(log));
            }
            Thread.sleep(200);
        }
        throw new AssertionError("local-postgres not ready: " + Files.readString(log));
    }

    private static Connection connect(int port, String database, String user) throws SQLException {
        return DriverManager.getConnection(LocalPostgres.jdbcUrl(port, database), user, "");
    }

    private static String single(Statement statement, String query) throws SQLException {
        try (ResultSet rows = statement.executeQuery(query)) {
            assertThat(rows.next()).isTrue();
            return rows.getString(1);
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
