package org.iterpref.cli.report;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import org.iterpref.cli.ApiOptions;
import org.iterpref.cli.ExitCodes;
import org.iterpref.cli.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code iterpref report --run R --fine-tuning-job J --before E1 --after E2}: the loop's report,
 * printed as text and written as one self-contained HTML page.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"The loop's report: run, pairs, fine-tuning job, evaluations before and after.",
                "Prints a summary and writes a self-contained HTML page with the training curves and an example "
                        + "pair (its error region and the tokens focal DPO counted marked).",
                "Exits 0 when the report was written, 2 when a service refused or could not be reached."})
public final class ReportCommand implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Option(names = "--trainer-url", defaultValue = "${env:ITERPREF_TRAINER_URL:-http://127.0.0.1:8083/v1}",
            description = "The trainer's OpenAI-compatible root, e.g. a gateway's /v1 (env ITERPREF_TRAINER_URL; "
                    + "default: ${DEFAULT-VALUE})")
    String trainerUrl;

    @Option(names = "--run", required = true, paramLabel = "RUN_ID", description = "The generation run")
    String run;

    @Option(names = "--fine-tuning-job", required = true, paramLabel = "JOB_ID",
            description = "The fine-tuning job trained on the run's pairs")
    String job;

    @Option(names = "--before", required = true, paramLabel = "EVAL_ID", description = "The base model's evaluation")
    String before;

    @Option(names = "--after", required = true, paramLabel = "EVAL_ID",
            description = "The fine-tuned model's evaluation")
    String after;

    @Option(names = "--set", paramLabel = "TASK_SET", description = "The task set counted as the tasks (default: the run's)")
    String set;

    @Option(names = "--html", defaultValue = "report.html", paramLabel = "FILE",
            description = "Where the HTML report goes (default: ${DEFAULT-VALUE})")
    Path html;

    @Override
    public Integer call() {
        ReportData data = new ReportFetch(api.client(), api.client(trainerUrl)).fetch(run, job, before, after, set);
        PrintWriter out = spec.commandLine().getOut();
        ReportText.print(data, out);
        write(html, ReportHtml.render(data));
        if (data.example() != null && data.example().mask() == null) {
            out.println("focal tokens not marked: " + data.example().maskNote());
        }
        out.println("wrote " + html);
        out.flush();
        return ExitCodes.OK;
    }

    /** Through a temporary file moved into place: a failed write leaves any earlier report whole. */
    private static void write(Path target, String page) {
        try {
            Path dir = target.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path partial = Files.createTempFile(dir, "." + target.getFileName() + ".", ".partial");
            try {
                Files.writeString(partial, page, StandardCharsets.UTF_8);
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(partial);
            }
        } catch (IOException e) {
            throw new UsageException("cannot write " + target + ": " + e.getMessage());
        }
    }
}
