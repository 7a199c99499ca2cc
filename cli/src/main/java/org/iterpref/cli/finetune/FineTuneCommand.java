package org.iterpref.cli.finetune;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.iterpref.cli.ApiOptions;
import org.iterpref.cli.ExitCodes;
import org.iterpref.cli.ProgressLine;
import org.iterpref.cli.http.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/**
 * {@code iterpref fine-tune --model M --set S}: a focal DPO fine-tuning job on the trainer's
 * OpenAI-compatible fine-tuning API, trained on the generator's pair feed. Without
 * {@code --feed-url} the request names no feed and the trainer reads its configured default
 * ({@code iterpref.trainer.pair-feeds.default-url}): a caller behind the gateway does not know the
 * generator's internal URL, and the generator's public URL is not one the trainer may fetch.
 */
@Command(name = "fine-tune", mixinStandardHelpOptions = true,
        description = "Fine-tune a model with focal DPO on the platform's preference pairs (OpenAI fine-tuning API).")
public final class FineTuneCommand implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Option(names = "--trainer-url", defaultValue = "${env:ITERPREF_TRAINER_URL:-http://127.0.0.1:8083/v1}",
            description = "The trainer's OpenAI-compatible root (env ITERPREF_TRAINER_URL; default: ${DEFAULT-VALUE})")
    String trainerUrl;

    @Option(names = "--feed-url", description = "The pair feed the trainer reads, as the trainer reaches it "
            + "(default: none sent, the trainer's configured default feed)")
    String feedUrl;

    @Option(names = "--model", required = true, description = "The base model the trainer serves")
    String model;

    @Option(names = "--set", description = "Train on this task set's pairs")
    String set;

    @Option(names = "--run", description = "Train on this run's pairs")
    String run;

    @Option(names = "--include-synthetic", description = "Include synthetic (bug-injection) pairs")
    boolean includeSynthetic;

    @Option(names = "--validation-split", defaultValue = "0.1")
    double validationSplit;

    @Option(names = "--epochs", defaultValue = "1")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "8")
    int batchSize;

    @Option(names = "--learning-rate", defaultValue = "1e-5")
    double learningRate;

    @Option(names = "--beta", defaultValue = "0.1")
    double beta;

    @Option(names = "--suffix")
    String suffix;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(names = "--wait", description = "Follow the job to its end; exit 0 only when it succeeded")
    boolean await;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, Object> pairs = new LinkedHashMap<>();
        if (feedUrl != null) {
            pairs.put("feed", feedUrl);
        }
        if (set != null) {
            pairs.put("set", set);
        }
        if (run != null) {
            pairs.put("run", run);
        }
        pairs.put("include_synthetic", includeSynthetic);
        pairs.put("validation_split", validationSplit);
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("model", model);
        if (suffix != null) {
            request.put("suffix", suffix);
        }
        request.put("seed", seed);
        request.put("pairs", pairs);
        request.put("method", Map.of("type", "dpo", "dpo", Map.of("hyperparameters", Map.of("n_epochs", epochs,
                "batch_size", batchSize, "learning_rate", learningRate, "beta", beta))));
        ApiClient trainer = api.client(trainerUrl);
        JsonNode job = trainer.post("/fine_tuning/jobs", request);
        PrintWriter out = spec.commandLine().getOut();
        out.println(job.path("id").asString());
        out.flush();
        if (!await) {
            return ExitCodes.OK;
        }
        ProgressLine progress = ProgressLine.forConsole(spec.commandLine().getErr());
        while (true) {
            job = trainer.get("/fine_tuning/jobs/" + job.path("id").asString());
            String status = job.path("status").asString();
            progress.show(status, String.format(Locale.ROOT, "%-10s %s", status, job.path("trained_tokens").isNull()
                    ? "" : job.path("trained_tokens").asLong() + " tokens trained"));
            if (List.of("succeeded", "failed", "cancelled").contains(status)) {
                progress.done();
                out.printf("job %s %s; fine-tuned model %s%n", job.path("id").asString(), status,
                        job.path("fine_tuned_model").asString());
                if (job.path("error").isObject()) {
                    out.println("error: " + job.path("error").path("message").asString());
                }
                out.flush();
                return "succeeded".equals(status) ? ExitCodes.OK : ExitCodes.FAILED;
            }
            Thread.sleep(2000);
        }
    }
}
