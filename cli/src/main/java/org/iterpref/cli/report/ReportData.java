package org.iterpref.cli.report;

import java.util.List;
import java.util.Map;

/**
 * Everything the loop's report shows, fetched once: the generation run and its pairs, the
 * fine-tuning job with its metric rows, the evaluations of the base and of the fine-tuned model,
 * and an example pair. {@link ReportText} and {@link ReportHtml} are pure functions of it. Numbers a
 * service did not report are null (shown as n/a).
 */
public record ReportData(Run run, Pairs pairs, Training training, Evaluation before, Evaluation after,
                         Example example, Links links) {

    /** The run and its trajectories by outcome; {@code tasks} is the task set's size. */
    public record Run(String id, String taskSet, String sourceType, String model, boolean synthetic, String status,
                      Long tasks, int trajectories, int passed, int failed, int errored, int cancelled,
                      long iterations) {
    }

    /**
     * The run's pairs: kept (served by the feed), filtered by reason, and the distinct tasks the
     * kept pairs come from.
     */
    public record Pairs(long kept, long alreadyStored, Map<String, Long> filtered, int tasks) {

        public long filteredTotal() {
            return filtered.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * The fine-tuning job: its pairs split (tasks per split only where the trainer reports them),
     * tokens trained, and its metric rows (training rows and eval rows, in the order reported).
     */
    public record Training(String jobId, String status, String baseModel, String fineTunedModel, Long trainingPairs,
                           Long validationPairs, Long trainingTasks, Long validationTasks, Long trainedTokens,
                           List<Metrics> train, List<Metrics> eval) {

        /** The held-out figures before training: the eval row at step 0, when there is one. */
        public Metrics firstEval() {
            return eval.isEmpty() || eval.get(0).step() != 0 ? null : eval.get(0);
        }

        /** The held-out figures after training: the last eval row after step 0. */
        public Metrics lastEval() {
            return eval.isEmpty() || eval.get(eval.size() - 1).step() == 0 ? null : eval.get(eval.size() - 1);
        }
    }

    /** One metric row: for eval rows, the {@code eval_} values under the same names. Null: not reported. */
    public record Metrics(long step, Double loss, Double margin, Double accuracy) {
    }

    /** An evaluation: its model, status, tasks evaluated and overall pass@1 (null until known). */
    public record Evaluation(String id, String model, String status, int tasks, Double passAt1) {
    }

    /**
     * A kept pair of the run with a non-empty error region ({@code spans}: {@code [start, end)} code
     * points into {@code rejected}); {@code mask} the trainer's focal tokens of {@code rejected}, or
     * null with {@code maskNote} saying why not.
     */
    /** @param source where it was chosen from: "the run", or the task set when the run stored no new pair */
    public record Example(long pairId, String taskId, String task, String prompt, String chosen, String rejected,
                          List<Span> spans, FocalMask mask, String maskNote, String source) {
    }

    /** {@code [start, end)} in code points. */
    public record Span(int start, int end) {
    }

    /** The trainer's tokenization of a rejected completion, with the tokens focal DPO counts. */
    public record FocalMask(String model, List<Token> tokens, int focalTokens, int totalTokens) {
    }

    /** A token: its text and {@code [start, end)} code points in the completion. */
    public record Token(String text, int start, int end, boolean focal) {
    }

    /** The gateway's API documentation and metrics pages. */
    public record Links(String apiDocs, String metrics) {
    }
}
