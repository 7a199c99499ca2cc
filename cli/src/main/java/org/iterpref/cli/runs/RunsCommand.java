package org.iterpref.cli.runs;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.iterpref.cli.ApiOptions;
import org.iterpref.cli.ExitCodes;
import org.iterpref.cli.PatientPolls;
import org.iterpref.cli.ProgressLine;
import org.iterpref.cli.UsageException;
import org.iterpref.cli.http.ApiClient;
import org.iterpref.cli.http.IdempotentPost;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code iterpref runs start ...} and {@code iterpref runs watch RUN_ID}. */
@Command(name = "runs", mixinStandardHelpOptions = true,
        description = "Generation runs: iterative-debugging trajectories and their preference pairs.",
        subcommands = {RunsCommand.Start.class, RunsCommand.Watch.class})
public final class RunsCommand {

    @Command(name = "start", mixinStandardHelpOptions = true, description = {"Start a run (and follow it with --watch).",
            "The submission carries a fresh Idempotency-Key and is retried with it (5 tries in all) when the "
                    + "service cannot be reached or answers 502, 503 or 504: it starts one run, never two."})
    static final class Start implements Callable<Integer> {

        @Mixin
        ApiOptions api;

        @Spec
        CommandSpec spec;

        @Option(names = "--task-set", required = true)
        String taskSet;

        @Option(names = "--source", defaultValue = "bug-injection", description = "bug-injection or openai (default: ${DEFAULT-VALUE})")
        String source;

        @Option(names = "--server", description = "For --source openai: the operator-configured model server")
        String server;

        @Option(names = "--model", description = "For --source openai: the model id")
        String model;

        @Option(names = "--max-iterations", defaultValue = "5")
        int maxIterations;

        @Option(names = "--samples", defaultValue = "1", description = "Trajectories per task (default: ${DEFAULT-VALUE})")
        int samples;

        @Option(names = "--seed", defaultValue = "0")
        long seed;

        @Option(names = "--pair-policy", defaultValue = "last", description = "last or all (default: ${DEFAULT-VALUE})")
        String pairPolicy;

        @Option(names = "--watch", description = "Follow the run to its end")
        boolean watch;

        @Override
        public Integer call() throws InterruptedException {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("type", source);
            if ("openai".equals(source)) {
                if (server == null || model == null) {
                    throw new UsageException("--source openai needs --server and --model");
                }
                doc.put("server", server);
                doc.put("model", model);
            }
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("taskSet", taskSet);
            request.put("source", doc);
            request.put("maxIterations", maxIterations);
            request.put("samplesPerTask", samples);
            request.put("seed", seed);
            request.put("pairPolicy", pairPolicy);
            ApiClient client = api.client();
            PrintWriter err = spec.commandLine().getErr();
            JsonNode run = new IdempotentPost(client, IdempotentPost.BACKOFF, notice -> {
                err.println(notice);
                err.flush();
            }).send("/generation-runs", request);
            PrintWriter out = spec.commandLine().getOut();
            out.println(run.path("id").asString());
            out.flush();
            return watch ? follow(client, run.path("id").asString(), spec) : ExitCodes.OK;
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true, description = "Follow a run to its end.")
    static final class Watch implements Callable<Integer> {

        @Mixin
        ApiOptions api;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "RUN_ID")
        String runId;

        @Override
        public Integer call() throws InterruptedException {
            return follow(api.client(), runId, spec);
        }
    }

    /** Polls the run until it ends; 0 when it completed with no errored trajectory. */
    static int follow(ApiClient client, String id, CommandSpec spec) throws InterruptedException {
        ProgressLine progress = ProgressLine.forConsole(spec.commandLine().getErr());
        PatientPolls polls = new PatientPolls(Duration.ofMinutes(5), Duration.ofSeconds(1), progress);
        long start = System.nanoTime();
        while (true) {
            JsonNode run = polls.get(() -> client.get("/generation-runs/" + id));
            JsonNode c = run.path("counts");
            String status = run.path("status").asString();
            progress.show(status, String.format(Locale.ROOT,
                    "%-9s queued %d  running %d  passed %d  failed %d  errored %d  (%d iterations)  %.0f s", status,
                    c.path("queued").asInt(), c.path("running").asInt(), c.path("passed").asInt(),
                    c.path("failed").asInt(), c.path("errored").asInt(), run.path("iterations").asLong(),
                    (System.nanoTime() - start) / 1e9));
            if (List.of("COMPLETED", "CANCELLED").contains(status)) {
                progress.done();
                JsonNode stats = client.get("/pairs/stats?run=" + id);
                PrintWriter out = spec.commandLine().getOut();
                out.printf("run %s %s: %d passed, %d failed, %d errored; pairs: %d new, %d already stored%n", id,
                        status, c.path("passed").asInt(), c.path("failed").asInt(), c.path("errored").asInt(),
                        stats.path("kept").asLong(), stats.path("alreadyStored").asLong());
                out.flush();
                return "COMPLETED".equals(status) && c.path("errored").asInt() == 0 ? ExitCodes.OK : ExitCodes.FAILED;
            }
            Thread.sleep(1000);
        }
    }
}
