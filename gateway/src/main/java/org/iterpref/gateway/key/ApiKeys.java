package org.iterpref.gateway.key;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** The {@code api_keys} table: hashes, scopes, rate overrides, revocation. */
@Repository
public class ApiKeys {

    private static final String COLUMNS =
            "id, name, key_prefix, scopes, requests_per_minute, burst, created_at, revoked_at";

    private final JdbcTemplate jdbc;

    public ApiKeys(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores a key by its hash; false when a key with that hash exists already. */
    public boolean insert(UUID id, String name, String hash, String prefix, Set<Scope> scopes,
                          Integer requestsPerMinute, Integer burst) {
        return jdbc.update("insert into api_keys (id, name, key_hash, key_prefix, scopes, requests_per_minute, burst)"
                        + " values (?, ?, ?, ?, ?, ?, ?) on conflict (key_hash) do nothing",
                ps -> {
                    ps.setObject(1, id);
                    ps.setString(2, name);
                    ps.setString(3, hash);
                    ps.setString(4, prefix);
                    ps.setArray(5, ps.getConnection().createArrayOf("text",
                            scopes.stream().map(Scope::wireName).toArray()));
                    ps.setObject(6, requestsPerMinute);
                    ps.setObject(7, burst);
                }) == 1;
    }

    /** The unrevoked key with this hash. */
    public Optional<ApiKey> findActiveByHash(String hash) {
        return jdbc.query("select " + COLUMNS + " from api_keys where key_hash = ? and revoked_at is null",
                ApiKeys::row, hash).stream().findFirst();
    }

    public Optional<ApiKey> find(UUID id) {
        return jdbc.query("select " + COLUMNS + " from api_keys where id = ?", ApiKeys::row, id).stream().findFirst();
    }

    /** Keys in creation order, {@code limit} at most, revoked ones included. */
    public List<ApiKey> list(int limit) {
        return jdbc.query("select " + COLUMNS + " from api_keys order by created_at, id limit ?", ApiKeys::row, limit);
    }

    /** Marks the key revoked; false when there is no such key or it was revoked already. */
    public boolean revoke(UUID id) {
        return jdbc.update("update api_keys set revoked_at = now() where id = ? and revoked_at is null", id) == 1;
    }

    private static ApiKey row(ResultSet rs, int n) throws SQLException {
        Timestamp revoked = rs.getTimestamp("revoked_at");
        return new ApiKey(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("key_prefix"),
                scopes(rs.getArray("scopes")), (Integer) rs.getObject("requests_per_minute"),
                (Integer) rs.getObject("burst"), rs.getTimestamp("created_at").toInstant(),
                revoked == null ? null : revoked.toInstant());
    }

    private static Set<Scope> scopes(Array array) throws SQLException {
        EnumSet<Scope> scopes = EnumSet.noneOf(Scope.class);
        Arrays.stream((String[]) array.getArray()).map(Scope::fromWireName)
                .forEach(s -> s.ifPresent(scopes::add));
        return scopes;
    }
}
