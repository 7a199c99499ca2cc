package org.iterpref.generator.support;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The test's own connections to a database of {@link SharedPostgres}, beside whatever generator
 * instances use it: to prepare it and to read what they stored.
 */
public final class TestDatabase implements AutoCloseable {

    private final HikariDataSource dataSource = new HikariDataSource();
    private final JdbcClient jdbc;

    public TestDatabase(String name) {
        dataSource.setJdbcUrl(SharedPostgres.jdbcUrl(name));
        dataSource.setUsername(SharedPostgres.user());
        dataSource.setPassword(SharedPostgres.password());
        dataSource.setMaximumPoolSize(2);
        dataSource.setPoolName("test-" + name);
        this.jdbc = JdbcClient.create(dataSource);
    }

    public JdbcClient jdbc() {
        return jdbc;
    }

    /** Creates the generator's schema (its Flyway migrations), as an instance would on its first start. */
    public TestDatabase migrate() {
        Flyway.configure().dataSource(dataSource).load().migrate();
        return this;
    }

    /**
     * Copies task set {@code set} and its tasks, ids included, from {@code source}: runs with the same
     * seed over the copy plant the same bugs, since a trajectory's seed mixes in its task's id.
     */
    public void copyTaskSet(TestDatabase source, String set) {
        copyRows(source, "task_sets", "name", set);
        copyRows(source, "tasks", "task_set", set);
    }

    private void copyRows(TestDatabase source, String table, String setColumn, String set) {
        for (String row : source.jdbc.sql("select to_jsonb(r)::text from " + table + " r where " + setColumn + " = ?")
                .param(set).query(String.class).list()) {
            jdbc.sql("insert into " + table + " select * from jsonb_populate_record(null::" + table + ", ?::jsonb)")
                    .param(row).update();
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
