package org.iterpref.cli.pairs;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.iterpref.cli.ApiOptions;
import org.iterpref.cli.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code iterpref pairs export --out FILE [--set S] [--run ID]}. */
@Command(name = "pairs", mixinStandardHelpOptions = true, description = "Preference pairs with error regions.",
        subcommands = PairsCommand.Export.class)
public final class PairsCommand {

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Export pairs as JSONL (TRL / Target-DPO: prompt, chosen, rejected, error_spans, metadata). "
                    + "The file appears only once the whole export arrived.")
    static final class Export implements Callable<Integer> {

        @Mixin
        ApiOptions api;

        @Spec
        CommandSpec spec;

        @Option(names = "--out", required = true, paramLabel = "FILE")
        Path out;

        @Option(names = "--format", defaultValue = "trl")
        String format;

        @Option(names = "--set", description = "Only this task set's pairs")
        String set;

        @Option(names = "--run", description = "Only this run's pairs (those it stored first and those it made again)")
        String run;

        @Option(names = "--synthetic", arity = "1", description = "true: only synthetic pairs; false: only model-made ones")
        Boolean synthetic;

        @Override
        public Integer call() throws IOException {
            StringBuilder path = new StringBuilder("/pairs/export?format=").append(encode(format));
            if (set != null) {
                path.append("&set=").append(encode(set));
            }
            if (run != null) {
                path.append("&run=").append(encode(run));
            }
            if (synthetic != null) {
                path.append("&synthetic=").append(synthetic);
            }
            long bytes = api.client().download(path.toString(), out);
            long lines;
            try (Stream<String> s = Files.lines(out)) {
                lines = s.count();
            }
            PrintWriter w = spec.commandLine().getOut();
            w.printf("wrote %d pairs (%d bytes) to %s%n", lines, bytes, out);
            w.flush();
            return ExitCodes.OK;
        }
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
