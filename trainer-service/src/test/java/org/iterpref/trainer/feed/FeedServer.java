package org.iterpref.trainer.feed;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.json.JsonMapper;

/**
 * The generator's pair feed as a test double: {@code GET /v1/pairs?after=&limit=&synthetic=}
 * answering {@code {"pairs": [...], "next": cursor}} in the generator's JSON (camelCase, {@code
 * errorSpans}), from pairs the test sets, on 127.0.0.1 (JDK HTTP server). It can answer 503 a
 * number of times first, and records every query it was asked.
 */
public final class FeedServer implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One pair as the generator serves it ({@code taskId} null: an imported pair, served without one). */
    public record Pair(long id, String prompt, String chosen, String rejected, List<int[]> errorSpans,
                       boolean synthetic, String taskId) {

        public Pair(long id, String prompt, String chosen, String rejected, List<int[]> errorSpans, boolean synthetic) {
            this(id, prompt, chosen, rejected, errorSpans, synthetic, null);
        }
    }

    private final HttpServer server;
    private volatile List<Pair> pairs = List.of();
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();

    private FeedServer(HttpServer server) {
        this.server = server;
        server.createContext("/v1/pairs", this::feed);
        server.start();
    }

    /** A server on a free port. */
    public static FeedServer start() {
        return start(0);
    }

    /** A server on {@code port} of 127.0.0.1. */
    public static FeedServer start(int port) {
        try {
            return new FeedServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String root() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    public String feedUrl() {
        return root() + "v1/pairs";
    }

    public void serve(List<Pair> served) {
        pairs = List.copyOf(served);
        queries.clear();
    }

    /** The next {@code n} requests answer 503. */
    public void failNext(int n) {
        failuresLeft.set(n);
    }

    public List<String> queries() {
        return List.copyOf(queries);
    }

    /** {@code count} distinct pairs with ids 1..count, every third one with given spans. */
    public static List<Pair> pairs(int count) {
        List<Pair> list = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            String rejected = "def f(x):\n    return x - " + i + "\n";
            List<int[]> spans = i % 3 == 0 ? List.of(new int[] {10, rejected.length()}) : null;
            list.add(new Pair(i, "Task " + i + ": write f.", "def f(x):\n    return x + " + i + "\n", rejected, spans,
                    false));
        }
        return list;
    }

    private void feed(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getRawQuery();
        queries.add(query == null ? "" : query);
        if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            respond(exchange, 503, "{\"title\":\"unavailable\"}");
            return;
        }
        Map<String, String> params = params(query);
        long after = Long.parseLong(params.getOrDefault("after", "0"));
        int limit = Integer.parseInt(params.getOrDefault("limit", "100"));
        String synthetic = params.get("synthetic");
        List<Map<String, Object>> page = new ArrayList<>();
        long next = after;
        for (Pair pair : pairs) {
            if (page.size() == limit) {
                break;
            }
            if (pair.id() <= after || (synthetic != null && Boolean.parseBoolean(synthetic) != pair.synthetic())) {
                continue;
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("id", pair.id());
            json.put("origin", "IMPORTED");
            json.put("prompt", pair.prompt());
            json.put("chosen", pair.chosen());
            json.put("rejected", pair.rejected());
            json.put("errorSpans", pair.errorSpans());
            json.put("synthetic", pair.synthetic());
            json.put("taskId", pair.taskId());
            page.add(json);
            next = pair.id();
        }
        respond(exchange, 200, JSON.writeValueAsString(Map.of("pairs", page, "next", next)));
    }

    private static Map<String, String> params(String query) {
        Map<String, String> params = new LinkedHashMap<>();
        if (query != null) {
            for (String part : query.split("&")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    params.put(part.substring(0, eq), URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return params;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
