package org.iterpref.trainer.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.iterpref.trainer.Fixtures;
import org.iterpref.trainer.TrainerApplication;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/models} and {@code DELETE /v1/models/{id}}: models registered at run time from
 * directories under the configured root, refused with the field at fault, and freed on unload
 * once the requests using them end.
 */
@SpringBootTest(classes = TrainerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ModelAdminApiTest {

    private static final Path ROOT = modelRoot();

    @LocalServerPort
    int port;

    @Autowired
    ModelRegistry registry;

    private ApiClient api;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry properties) {
        properties.add("iterpref.trainer.admin-model-root", ROOT::toString);
        properties.add("iterpref.trainer.max-models", () -> "3");
    }

    private static Path modelRoot() {
        try {
            Path root = Files.createTempDirectory("iterpref-admin-models-");
            Fixtures.copyModel("tiny-llama", root.resolve("tiny-llama"));
            Path broken = Fixtures.copyModel("tiny-qwen2", root.resolve("broken"));
            byte[] weights = Files.readAllBytes(broken.resolve("model.safetensors"));
            Files.write(broken.resolve("model.safetensors"), java.util.Arrays.copyOf(weights, weights.length / 2));
            Files.createDirectories(root.resolve("empty"));
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeEach
    void client() {
        api = new ApiClient(port);
        for (String name : new String[] {"llama", "llama-2", "llama-3", "org/llama"}) {
            if (registry.find(name).isPresent()) {
                registry.unregister(name);
            }
        }
    }

    private ApiClient.Reply register(String id, String path) throws Exception {
        return api.post("/v1/models", "{\"id\":\"" + id + "\",\"path\":\"" + path + "\"}");
    }

    private static void assertError(ApiClient.Reply reply, int status, String param) {
        assertThat(reply.status()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/json");
        JsonNode error = reply.body().get("error");
        assertThat(error.get("message").asString()).isNotBlank();
        assertThat(error.get("param").isNull() ? null : error.get("param").asString()).isEqualTo(param);
    }

    @Test
    void aRegisteredModelIsListedAndServesTheReferenceContinuation() throws Exception {
        ApiClient.Reply created = register("llama", "tiny-llama");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().get("id").asString()).isEqualTo("llama");
        assertThat(created.body().get("source").asString()).isEqualTo("api");

        JsonNode listed = api.call("GET", "/v1/models", null).body().get("data");
        assertThat(listed.valueStream().map(m -> m.get("id").asString())).containsExactly("tiny-qwen2", "llama");
        assertThat(api.call("GET", "/v1/models/llama", null).body().get("context_length").intValue()).isPositive();

        JsonNode expected = ApiClient.JSON.readTree(Fixtures.model("tiny-llama").resolve("expected_greedy.json").toFile());
        ApiClient.Reply completion = api.post("/v1/completions", "{\"model\":\"llama\",\"prompt\":"
                + expected.get("prompt_ids") + ",\"max_tokens\":" + expected.get("greedy_new_ids").size()
                + ",\"temperature\":0,\"logprobs\":0}");
        assertThat(completion.status()).isEqualTo(200);
        assertThat(completion.body().get("choices").get(0).get("logprobs").get("tokens"))
                .hasSize(expected.get("greedy_new_ids").size());
        String reference = registry.find("llama").orElseThrow().tokenizer()
                .decode(ids(expected.get("greedy_new_ids")), true);
        assertThat(completion.body().get("choices").get(0).get("text").asString()).isEqualTo(reference);
    }

    @Test
    void namesWithSlashesWorkLikeHuggingFaceIds() throws Exception {
        assertThat(register("org/llama", "tiny-llama").status()).isEqualTo(201);
        assertThat(api.call("GET", "/v1/models/org/llama", null).body().get("id").asString()).isEqualTo("org/llama");
        assertThat(api.call("DELETE", "/v1/models/org/llama", null).body().get("deleted").booleanValue()).isTrue();
    }

    @Test
    void badRegistrationsNameTheFieldAndChangeNothing() throws Exception {
        assertError(register("tiny-qwen2", "tiny-llama"), 409, "id");
        assertError(register("bad name!", "tiny-llama"), 400, "id");
        assertError(register("llama", "../../etc"), 400, "path");
        assertError(register("llama", "/tmp"), 400, "path");
        assertError(register("llama", "missing"), 400, "path");
        ApiClient.Reply broken = register("llama", "broken");
        assertError(broken, 400, "path");
        assertThat(broken.body().get("error").get("message").asString()).contains("model.safetensors");
        assertError(register("llama", "empty"), 400, "path");
        assertError(api.post("/v1/models", "{\"id\":\"llama\",\"path\":\"tiny-llama\",\"dtype\":\"f16\"}"), 400, "dtype");
        assertThat(registry.all()).extracting(LoadedModel::name).containsExactly("tiny-qwen2");
        assertThat(api.post("/v1/completions", "{\"model\":\"tiny-qwen2\",\"prompt\":\"x\",\"max_tokens\":2}").status())
                .isEqualTo(200);
    }

    @Test
    void theModelCountIsCapped() throws Exception {
        assertThat(register("llama", "tiny-llama").status()).isEqualTo(201);
        assertThat(register("llama-2", "tiny-llama").status()).isEqualTo(201);
        assertError(register("llama-3", "tiny-llama"), 409, "id");
    }

    @Test
    void unloadingStopsServingAndFreesTheWeightsAfterTheLastRequest() throws Exception {
        assertThat(register("llama", "tiny-llama").status()).isEqualTo(201);
        LoadedModel loaded = registry.find("llama").orElseThrow();
        long before = registry.liveArrays();

        CompletableFuture<ApiClient.Events> inFlight = CompletableFuture.supplyAsync(() -> {
            try {
                return api.stream("/v1/completions", "{\"model\":\"llama\",\"prompt\":\"a\",\"max_tokens\":300,"
                        + "\"temperature\":1,\"seed\":3,\"n\":4,\"stream\":true}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(150);
        ApiClient.Reply deleted = api.call("DELETE", "/v1/models/llama", null);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.body().get("deleted").booleanValue()).isTrue();
        assertError(api.call("GET", "/v1/models/llama", null), 404, "model");
        assertError(api.post("/v1/completions", "{\"model\":\"llama\",\"prompt\":\"x\"}"), 404, "model");
        assertError(api.call("DELETE", "/v1/models/llama", null), 404, "model");

        ApiClient.Events events = inFlight.get();
        assertThat(events.status()).isEqualTo(200);
        assertThat(events.done()).as("the request that held the model ran to its end").isTrue();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (loaded.model().isOpen() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(loaded.model().isOpen()).as("weights freed once the last request ended").isFalse();
        assertThat(registry.liveArrays()).isLessThan(before);
    }

    private static long[] ids(JsonNode array) {
        long[] ids = new long[array.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = array.get(i).longValue();
        }
        return ids;
    }
}
