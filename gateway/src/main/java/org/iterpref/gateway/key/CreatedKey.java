package org.iterpref.gateway.key;

/** The answer to {@code POST /admin/keys}: the only time the key itself is ever shown. */
public record CreatedKey(String key, KeyView details) {
}
