package org.iterpref.generator.source.openai;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A local server speaking {@code POST /v1/chat/completions}: it records every request and answers
 * with scripted replies in order (500 when the script has run out, 404 on other paths). With
 * {@link #withContext} it plays a model with a small context, as the trainer-service does: it
 * counts a prompt's tokens ({@link #tokens}), answers 400 with the trainer's message when they and
 * {@code max_tokens} exceed the context, reports the count as {@code usage.prompt_tokens}, and
 * (unless told not to) serves {@code GET /v1/models/{id}} with the {@code context_length}.
 */
final class FakeChatServer implements AutoCloseable {

    static final JsonMapper JSON = JsonMapper.builder().build();

    /** A request as received. */
    record Recorded(String method, String path, Headers headers, String body) {

        String header(String name) {
            return headers.getFirst(name);
        }

        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    /** A scripted answer, sent after {@code delayMs}. */
    record Reply(int status, String body, Map<String, String> headers, long delayMs) {

        static Reply completion(String content, Integer promptTokens, Integer completionTokens) {
            ObjectNode root = JSON.createObjectNode();
            root.put("id", "chatcmpl-test").put("object", "chat.completion").put("created", 1);
            ObjectNode choice = root.putArray("choices").addObject();
            choice.put("index", 0).put("finish_reason", "stop");
            choice.putObject("message").put("role", "assistant").put("content", content);
            if (promptTokens != null) {
                root.putObject("usage").put("prompt_tokens", promptTokens)
                        .put("completion_tokens", completionTokens)
                        .put("total_tokens", promptTokens + completionTokens);
            }
            return new Reply(200, JSON.writeValueAsString(root), Map.of(), 0);
        }

        static Reply completion(String content) {
            return completion(content, 12, 34);
        }

        static Reply error(int status, String message) {
            ObjectNode root = JSON.createObjectNode();
            root.putObject("error").put("message", message).put("type", "error").put("code", status);
            return new Reply(status, JSON.writeValueAsString(root), Map.of(), 0);
        }

        /** The same completion, naming the model that answered (as servers do; a fake leaves it out by default). */
        Reply answeredBy(String model) {
            ObjectNode root = (ObjectNode) JSON.readTree(body);
            root.put("model", model);
            return new Reply(status, JSON.writeValueAsString(root), headers, delayMs);
        }

        Reply withHeader(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Reply(status, body, more, delayMs);
        }

        Reply delayedBy(long millis) {
            return new Reply(status, body, headers, millis);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Queue<Reply> script = new ConcurrentLinkedQueue<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private volatile int contextLength;
    private volatile int bytesPerToken;
    private volatile boolean reportsContext;

    FakeChatServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** {@code http://127.0.0.1:PORT/v1}. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    int port() {
        return server.getAddress().getPort();
    }

    FakeChatServer reply(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    /** Plays a model of {@code contextLength} tokens whose tokenizer packs {@code bytesPerToken} bytes a token. */
    FakeChatServer withContext(int contextLength, int bytesPerToken, boolean reportsContext) {
        this.contextLength = contextLength;
        this.bytesPerToken = bytesPerToken;
        this.reportsContext = reportsContext;
        return this;
    }

    /** The prompt tokens of a request body: each message's bytes / bytesPerToken, rounded up, plus 4. */
    int tokens(JsonNode body) {
        int tokens = 0;
        for (JsonNode message : body.path("messages")) {
            int bytes = message.path("content").asString().getBytes(StandardCharsets.UTF_8).length;
            tokens += (bytes + bytesPerToken - 1) / bytesPerToken + 4;
        }
        return tokens;
    }

    List<Recorded> requests() {
        return List.copyOf(requests);
    }

    /** The chat-completions requests only. */
    List<Recorded> chatRequests() {
        return requests.stream().filter(r -> r.path().equals("/v1/chat/completions")).toList();
    }

    Recorded lastRequest() {
        return requests.get(requests.size() - 1);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath();
            requests.add(new Recorded(exchange.getRequestMethod(), path, exchange.getRequestHeaders(), body));
            Reply reply;
            if ("/v1/chat/completions".equals(path) && "POST".equals(exchange.getRequestMethod())) {
                reply = contextLength > 0 ? withinContext(JSON.readTree(body)) : script.poll();
            } else if (contextLength > 0 && reportsContext && path.startsWith("/v1/models/")) {
                ObjectNode model = JSON.createObjectNode().put("id", path.substring("/v1/models/".length()))
                        .put("object", "model").put("context_length", contextLength);
                reply = new Reply(200, JSON.writeValueAsString(model), Map.of(), 0);
            } else {
                reply = Reply.error(404, "no route " + path);
            }
            send(exchange, reply == null ? Reply.error(500, "no scripted reply left") : reply);
        } catch (IOException e) {
            // the client gave up (timeout) before the answer: nothing to do
        }
    }

    private Reply withinContext(JsonNode body) {
        int prompt = tokens(body);
        int maxTokens = body.path("max_tokens").asInt();
        if (prompt + maxTokens > contextLength) {
            ObjectNode root = JSON.createObjectNode();
            root.putObject("error").put("message", "This model's maximum context length is " + contextLength
                    + " tokens, however you requested " + (prompt + maxTokens) + " tokens (" + prompt
                    + " in your prompt; " + maxTokens + " for the completion).")
                    .put("type", "invalid_request_error").put("param", "max_tokens").putNull("code");
            return new Reply(400, JSON.writeValueAsString(root), Map.of(), 0);
        }
        Reply scripted = script.poll();
        if (scripted == null || scripted.status() != 200) {
            return scripted;
        }
        ObjectNode answer = (ObjectNode) JSON.readTree(scripted.body());
        answer.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", 10)
                .put("total_tokens", prompt + 10);
        return new Reply(200, JSON.writeValueAsString(answer), scripted.headers(), scripted.delayMs());
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        if (reply.delayMs() > 0) {
            try {
                Thread.sleep(reply.delayMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        reply.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
