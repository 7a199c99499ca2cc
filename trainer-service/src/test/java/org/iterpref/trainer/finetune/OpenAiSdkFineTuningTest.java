package org.iterpref.trainer.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import com.openai.models.finetuning.jobs.FineTuningJob;
import com.openai.models.finetuning.jobs.FineTuningJobEvent;
import com.openai.models.finetuning.jobs.JobCreateParams;
import com.openai.models.finetuning.jobs.checkpoints.FineTuningJobCheckpoint;
import com.openai.models.finetuning.methods.DpoHyperparameters;
import com.openai.models.finetuning.methods.DpoMethod;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.iterpref.trainer.HttpApi;
import org.iterpref.trainer.TrainerApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The fine-tuning surface driven by OpenAI's official Java SDK, unchanged, with response
 * validation on (every field the SDK requires must be there, of the right type), against the real
 * focal DPO engine training the bundled tiny-qwen2: upload a file, create a DPO job, poll it to the
 * end, list its events and checkpoints, chat with its model — whose weights are the trained ones.
 */
@SpringBootTest(classes = TrainerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"iterpref.trainer.fine-tuning.lease-seconds=10", "iterpref.trainer.fine-tuning.poll-interval-ms=100"})
class OpenAiSdkFineTuningTest {

    @LocalServerPort
    int port;

    static String trlLine(int i) {
        return HttpApi.JSON.writeValueAsString(Map.of("prompt", "Write f " + i + ".",
                "chosen", "def f(x):\n    return x + " + i + "\n", "rejected", "def f(x):\n    return x - " + i + "\n"));
    }

    private OpenAIClient sdk() {
        return OpenAIOkHttpClient.builder().baseUrl("http://localhost:" + port + "/v1").apiKey("sk-test")
                .responseValidation(true).maxRetries(0).timeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void givenTheOfficialSdk_whenItFineTunesWithDpo_thenEveryCallWorksUnchanged() throws Exception {
        OpenAIClient openai = sdk();
        Path data = Files.createTempFile("sdk-pairs", ".jsonl");
        Files.writeString(data, String.join("\n", trlLine(1), trlLine(2), trlLine(3), trlLine(4)) + "\n",
                StandardCharsets.UTF_8);

        FileObject file = openai.files().create(FileCreateParams.builder().file(data).purpose(FilePurpose.FINE_TUNE)
                .build());
        assertThat(file.id()).startsWith("file-");
        assertThat(file.status()).isEqualTo(FileObject.Status.PROCESSED);
        assertThat(openai.files().retrieve(file.id()).bytes()).isEqualTo(Files.size(data));

        FineTuningJob created = openai.fineTuning().jobs().create(JobCreateParams.builder().model("tiny-qwen2")
                .trainingFile(file.id()).suffix("sdk").seed(5L)
                .method(JobCreateParams.Method.builder().type(JobCreateParams.Method.Type.DPO)
                        .dpo(DpoMethod.builder().hyperparameters(DpoHyperparameters.builder().beta(0.25).nEpochs(2L)
                                .batchSize(2L)
                                .putAdditionalProperty("checkpoint_every", JsonValue.from(1))
                                .putAdditionalProperty("learning_rate", JsonValue.from(1e-3)).build())
                                .build())
                        .build())
                .build());
        assertThat(created.status()).isEqualTo(FineTuningJob.Status.QUEUED);
        assertThat(created.method().orElseThrow().dpo().orElseThrow().hyperparameters().orElseThrow().beta()
                .orElseThrow().asNumber()).isEqualTo(0.25);

        FineTuningJob[] finished = new FineTuningJob[1];
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            finished[0] = openai.fineTuning().jobs().retrieve(created.id());
            return finished[0].status().equals(FineTuningJob.Status.SUCCEEDED)
                    || finished[0].status().equals(FineTuningJob.Status.FAILED);
        });
        FineTuningJob job = finished[0];
        assertThat(job.status()).isEqualTo(FineTuningJob.Status.SUCCEEDED);
        String model = job.fineTunedModel().orElseThrow();
        assertThat(model).isEqualTo("ft:tiny-qwen2:sdk:" + created.id());
        assertThat(job.trainedTokens().orElseThrow()).isPositive();
        assertThat(job.seed()).isEqualTo(5L);
        assertThat(job.hyperparameters().nEpochs().orElseThrow().asInteger()).isEqualTo(2L);

        List<FineTuningJobEvent> events = openai.fineTuning().jobs().listEvents(created.id()).autoPager().stream()
                .toList();
        assertThat(events).extracting(FineTuningJobEvent::message).contains("The job has successfully completed");
        assertThat(events).anyMatch(e -> e.type().orElseThrow().equals(FineTuningJobEvent.Type.METRICS));

        List<FineTuningJobCheckpoint> checkpoints = openai.fineTuning().jobs().checkpoints().list(created.id())
                .autoPager().stream().toList();
        assertThat(checkpoints).extracting(FineTuningJobCheckpoint::stepNumber).containsExactly(4L, 3L, 2L, 1L);
        assertThat(checkpoints.get(0).fineTunedModelCheckpoint()).isEqualTo(model + ":ckpt-step-4");
        assertThat(checkpoints.get(0).metrics().trainLoss()).isPresent();

        assertThat(openai.fineTuning().jobs().list().data()).extracting(FineTuningJob::id).contains(created.id());

        ChatCompletion reply = openai.chat().completions().create(ChatCompletionCreateParams.builder().model(model)
                .addUserMessage("def add(a, b):").maxCompletionTokens(5).temperature(0.0).build());
        assertThat(reply.model()).isEqualTo(model);
        assertThat(reply.choices()).hasSize(1);
        assertThat(reply.choices().get(0).message().content()).isPresent();

        // the served model is the trained one: it prefers a chosen completion more than the base does
        HttpApi api = new HttpApi(port);
        double base = completionLogProb(api, "tiny-qwen2");
        double tuned = completionLogProb(api, model);
        assertThat(tuned).isGreaterThan(base + 0.1);
        JsonNode rows = api.get("/v1/fine_tuning/jobs/" + created.id() + "/metrics").body().get("data");
        assertThat(rows.get(rows.size() - 1).get("rewards/margins").asDouble()).isPositive();
    }

    /** The log-prob of a chosen completion of the training data after its ChatML prompt, echoed. */
    private static double completionLogProb(HttpApi api, String model) throws Exception {
        String prompt = "<|im_start|>user\nWrite f 1.<|im_end|>\n<|im_start|>assistant\n";
        String chosen = "def f(x):\n    return x + 1\n";
        JsonNode reply = api.post("/v1/completions", Map.of("model", model, "prompt", prompt + chosen, "echo", true,
                "max_tokens", 1, "logprobs", 0, "temperature", 0)).body();
        JsonNode logprobs = reply.get("choices").get(0).get("logprobs");
        double sum = 0;
        int offset = 0;
        for (int i = 0; i < logprobs.get("tokens").size(); i++) {
            int start = logprobs.get("text_offset").get(i).asInt();
            JsonNode value = logprobs.get("token_logprobs").get(i);
            if (start >= prompt.length() && start < (prompt + chosen).length() && !value.isNull()) {
                sum += value.asDouble();
                offset++;
            }
        }
        assertThat(offset).isPositive();
        return sum;
    }

    @Test
    void givenTheOfficialSdk_whenARequestIsRefused_thenItRaisesTheErrorWithItsParam() {
        BadRequestException error = org.assertj.core.api.Assertions.catchThrowableOfType(BadRequestException.class,
                () -> sdk().fineTuning().jobs().create(JobCreateParams.builder().model("tiny-qwen2")
                        .trainingFile("file-missing").method(JobCreateParams.Method.builder()
                                .type(JobCreateParams.Method.Type.SUPERVISED).build()).build()));
        assertThat(error.statusCode()).isEqualTo(400);
        assertThat(error.body().toString()).contains("method.type");
    }
}
