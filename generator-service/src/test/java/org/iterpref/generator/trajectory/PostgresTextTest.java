package org.iterpref.generator.trajectory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.iterpref.generator.support.SharedPostgres;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** U+0000 out of what an iteration stores, checked against a real PostgreSQL. */
class PostgresTextTest {

    private static final char NUL = 0;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void textReplacesNulOnly() {
        assertThat(PostgresText.text(null)).isNull();
        String plain = "def f():\n    return 'ü'\n";
        assertThat(PostgresText.text(plain)).isSameAs(plain);
        assertThat(PostgresText.text("a" + NUL + "b" + NUL)).isEqualTo("a\uFFFDb\uFFFD");
    }

    @Test
    void jsonReplacesEscapedNulButNotAnEscapedBackslashBeforeU0000() {
        String backslashU = "\\" + "u0000";     // six characters: a backslash, then u0000
        Map<String, Object> value = Map.of("stdout", "x" + NUL + "y", "code", "print('" + backslashU + "')",
                "both", "\\" + NUL, "tests", List.of(Map.of("stderr", String.valueOf(NUL))));
        String written = JSON.writeValueAsString(value);
        assertThat(written).contains(backslashU);

        @SuppressWarnings("unchecked")
        Map<String, Object> read = JSON.readValue(PostgresText.json(written), Map.class);
        assertThat(read.get("stdout")).isEqualTo("x\uFFFDy");
        assertThat(read.get("code")).isEqualTo("print('" + backslashU + "')");
        assertThat(read.get("both")).isEqualTo("\\\uFFFD");
        assertThat(read.get("tests").toString()).isEqualTo("[{stderr=\uFFFD}]");
        assertThat(PostgresText.json(null)).isNull();
        assertThat(PostgresText.json("{\"a\":\"b\"}")).isEqualTo("{\"a\":\"b\"}");
    }

    @Test
    void postgresRejectsNulAndAcceptsWhatIsStoredInstead() throws SQLException {
        String raw = "gibberish" + NUL + "more";
        String json = JSON.writeValueAsString(Map.of("stdout", raw));
        try (Connection c = DriverManager.getConnection(SharedPostgres.jdbcUrl(PostgresTextTest.class.getSimpleName()),
                SharedPostgres.user(), SharedPostgres.password())) {
            assertThatThrownBy(() -> select(c, "select ?::text", raw)).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> select(c, "select ?::jsonb", json)).isInstanceOf(SQLException.class);
            assertThat(select(c, "select ?::text", PostgresText.text(raw))).isEqualTo("gibberish\uFFFDmore");
            assertThat(select(c, "select (?::jsonb)->>'stdout'", PostgresText.json(json)))
                    .isEqualTo("gibberish\uFFFDmore");
        }
    }

    private static String select(Connection c, String sql, String parameter) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            statement.setString(1, parameter);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
