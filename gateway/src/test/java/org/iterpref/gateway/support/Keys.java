package org.iterpref.gateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

/** Creates keys through the admin API with the bootstrap key. */
public final class Keys {

    private Keys() {
    }

    /** A new key with {@code scopes} (JSON array body, e.g. {@code "read","submit"}); returns the key. */
    public static String create(GatewayInstance gateway, String name, String scopes, String extraJson)
            throws Exception {
        HttpResponse<String> response = Http.post(gateway.url("/admin/keys"),
                "{\"name\":\"" + name + "\",\"scopes\":[" + scopes + "]" + extraJson + "}",
                "Authorization", Http.bearer(GatewayInstance.BOOTSTRAP_KEY));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return Http.json(response).get("key").asString();
    }

    public static String create(GatewayInstance gateway, String name, String scopes) throws Exception {
        return create(gateway, name, scopes, "");
    }
}
