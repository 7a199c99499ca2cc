package org.iterpref.cli.tasks;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.iterpref.cli.ApiOptions;
import org.iterpref.cli.ExitCodes;
import org.iterpref.cli.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code iterpref tasks import FILE --format jsonl --set NAME}. */
@Command(name = "tasks", mixinStandardHelpOptions = true, description = "Coding tasks with unit tests.",
        subcommands = TasksCommand.Import.class)
public final class TasksCommand {

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Import a file of tasks into a set; each is validated in the executor (its reference "
                    + "solution must pass its tests).")
    static final class Import implements Callable<Integer> {

        @Mixin
        ApiOptions api;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Option(names = "--format", defaultValue = "jsonl",
                description = "jsonl (IterPref), humaneval, mbpp, apps, bigcodebench, ... (default: ${DEFAULT-VALUE})")
        String format;

        @Option(names = "--set", required = true, description = "The task set to import into")
        String set;

        @Override
        public Integer call() {
            if (!Files.isRegularFile(file)) {
                throw new UsageException("no such file: " + file);
            }
            String contentType = file.toString().endsWith(".json") ? "application/json" : "application/x-ndjson";
            JsonNode report = api.client().postFile("/tasks/import?format=" + encode(format) + "&set=" + encode(set),
                    contentType, file);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("set %s: %d lines, %d imported, %d valid, %d invalid, %d pending%n", set,
                    report.path("lines").asInt(), report.path("imported").asInt(), report.path("valid").asInt(),
                    report.path("invalid").asInt(), report.path("pending").asInt());
            for (JsonNode e : report.path("errors")) {
                out.printf("  line %d: %s%n", e.path("line").asInt(), e.path("message").asString());
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
