package org.iterpref.cli;

import java.io.PrintWriter;
import org.iterpref.cli.eval.EvalCommand;
import org.iterpref.cli.finetune.FineTuneCommand;
import org.iterpref.cli.http.ApiException;
import org.iterpref.cli.pairs.PairsCommand;
import org.iterpref.cli.report.ReportCommand;
import org.iterpref.cli.runs.RunsCommand;
import org.iterpref.cli.tasks.TasksCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code iterpref}: the platform from a shell or a CI job. Exit codes: 0 done (gate passed), 1 the
 * gate failed or the work did not complete, 2 bad usage or a server error ({@link ExitCodes}).
 */
@Command(name = "iterpref", mixinStandardHelpOptions = true, version = "iterpref 0.1.0",
        description = "IterPref Platform: evaluate models with quality gates, import tasks, run trajectories, "
                + "export preference pairs, fine-tune, report on the loop.",
        subcommands = {EvalCommand.class, TasksCommand.class, RunsCommand.class, PairsCommand.class,
                FineTuneCommand.class, ReportCommand.class, CommandLine.HelpCommand.class})
public final class IterPref implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with the platform's exit codes: a server error or unreachable server exits 2. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new IterPref());
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            PrintWriter err = commandLine.getErr();
            if (e instanceof ApiException api) {
                err.println("iterpref: " + api.getMessage());
            } else if (e instanceof UsageException usage) {
                err.println("iterpref: " + usage.getMessage());
            } else {
                err.println("iterpref: " + e);
            }
            err.flush();
            return ExitCodes.ERROR;
        });
        return cli;
    }
}
