package org.iterpref.gateway.support;

import java.util.LinkedHashMap;
import java.util.Map;
import org.iterpref.gateway.GatewayApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** A whole gateway on a random loopback port, on a test database, in front of the given upstreams. */
public final class GatewayInstance implements AutoCloseable {

    public static final String BOOTSTRAP_KEY = "test-bootstrap-admin-key-0123456789abcdef";

    private final ConfigurableApplicationContext context;

    private GatewayInstance(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /** {@code upstream} answers for every service; {@code extra} adds or overrides properties. */
    public static GatewayInstance start(String database, String upstream, Map<String, Object> extra) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("server.port", 0);
        properties.put("server.address", "127.0.0.1");
        properties.put("spring.datasource.url", TestDatabase.jdbcUrl(database));
        properties.put("spring.datasource.username", "postgres");
        properties.put("spring.datasource.password", "");
        properties.put("iterpref.gateway.routes.generator", upstream);
        properties.put("iterpref.gateway.routes.trainer", upstream);
        properties.put("iterpref.gateway.bootstrap-key", BOOTSTRAP_KEY);
        properties.putAll(extra);
        return start(properties, "test");
    }

    /** A gateway with exactly these properties (as command-line arguments) and profiles. */
    public static GatewayInstance start(Map<String, Object> properties, String... profiles) {
        // as arguments, so they win over application.yml (builder properties are only defaults)
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(GatewayApplication.class)
                .profiles(profiles).run(args);
        return new GatewayInstance(context);
    }

    public int port() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
