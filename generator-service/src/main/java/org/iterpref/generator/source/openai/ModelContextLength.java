package org.iterpref.generator.source.openai;

import org.iterpref.generator.web.CappedBody;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * How many tokens (prompt plus completion) the model takes: the number a context-length error
 * reported, else what the server says, else the operator's configured value. The server is asked
 * once, at the first need: {@code GET {root}/models/{id}} and, when that has no number,
 * {@code GET {root}/models}, reading {@code context_length} (the trainer-service, OpenRouter) or
 * {@code max_model_len} (vLLM). A server that cannot be reached is asked again next time; one that
 * answered without a number is not. Thread-safe.
 */
public class ModelContextLength {

    private static final Logger log = LoggerFactory.getLogger(ModelContextLength.class);
    private static final Duration MAX_LOOKUP_TIME = Duration.ofSeconds(10);
    /** The largest model list read (a server listing thousands of models stays well under it). */
    static final long MAX_LIST_BYTES = 4L << 20;

    private final OpenAiSourceSettings settings;
    private final Optional<ApiKey> apiKey;
    private final HttpClient http;
    private final JsonMapper json;
    private final Integer configured;
    private final URI root;
    /** null until the server answered; then its number, or empty. */
    private final AtomicReference<OptionalInt> reported = new AtomicReference<>();
    private final AtomicReference<Integer> learned = new AtomicReference<>();

    public ModelContextLength(OpenAiSourceSettings settings, Optional<ApiKey> apiKey, HttpClient http,
            JsonMapper json, Integer configured) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.http = Objects.requireNonNull(http, "http");
        this.json = Objects.requireNonNull(json, "json");
        this.configured = configured;
        String endpoint = settings.chatCompletionsUri().toString();
        this.root = URI.create(endpoint.substring(0, endpoint.length() - "/chat/completions".length()));
    }

    /** The context length, or empty when neither a server nor the operator gave one. */
    public OptionalInt tokens() {
        Integer fromError = learned.get();
        if (fromError != null) {
            return OptionalInt.of(fromError);
        }
        OptionalInt fromServer = reported();
        if (fromServer.isPresent()) {
            return fromServer;
        }
        return configured == null ? OptionalInt.empty() : OptionalInt.of(configured);
    }

    /** A context length the server stated in an error: it wins from now on. */
    public void learn(int tokens) {
        if (tokens > 0) {
            learned.set(tokens);
        }
    }

    private OptionalInt reported() {
        OptionalInt known = reported.get();
        if (known != null) {
            return known;
        }
        try {
            OptionalInt found = lookUp(modelUri(), true);
            if (found.isEmpty()) {
                found = lookUp(root.resolve(root.getPath() + "/models"), false);
            }
            reported.compareAndSet(null, found);
            log.info("Model {} at {}: context length {}", settings.model(), root,
                    found.isPresent() ? found.getAsInt() + " tokens" : "not reported");
            return found;
        } catch (IOException e) {
            log.debug("cannot ask {} for the context length of {}: {}", root, settings.model(), e.toString());
            return OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        }
    }

    private URI modelUri() {
        String path = Arrays.stream(settings.model().split("/", -1))
                .map(segment -> URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("/"));
        return URI.create(root + "/models/" + path);
    }

    private OptionalInt lookUp(URI uri, boolean single) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET()
                .timeout(settings.timeout().compareTo(MAX_LOOKUP_TIME) < 0 ? settings.timeout() : MAX_LOOKUP_TIME)
                .header("Accept", "application/json");
        apiKey.ifPresent(key -> request.header("Authorization", "Bearer " + key.value()));
        HttpResponse<String> response = http.send(request.build(), CappedBody.text(MAX_LIST_BYTES));
        if (response.statusCode() / 100 != 2) {
            return OptionalInt.empty();
        }
        JsonNode body;
        try {
            body = json.readTree(response.body());
        } catch (JacksonException e) {
            return OptionalInt.empty();
        }
        if (single) {
            return contextOf(body);
        }
        for (JsonNode model : body.path("data")) {
            if (settings.model().equals(model.path("id").asString(""))) {
                return contextOf(model);
            }
        }
        return OptionalInt.empty();
    }

    private static OptionalInt contextOf(JsonNode model) {
        for (String field : new String[] {"context_length", "max_model_len"}) {
            JsonNode value = model.path(field);
            if (value.isIntegralNumber() && value.canConvertToInt() && value.intValue() > 0) {
                return OptionalInt.of(value.intValue());
            }
        }
        return OptionalInt.empty();
    }
}
