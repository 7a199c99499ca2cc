package org.iterpref.generator.evaluation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.iterpref.common.eval.PassAtK;
import org.iterpref.common.problem.FieldError;
import org.iterpref.common.problem.InvalidRequestException;
import org.iterpref.generator.run.RunProgress;
import org.iterpref.generator.run.RunRequest;
import org.iterpref.generator.run.RunService;
import org.iterpref.generator.run.RunStatus;
import org.iterpref.generator.task.TaskRepository;
import org.iterpref.generator.web.NotFoundException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Starts evaluations, scores them from their stored samples, and judges their gates.
 *
 * <p>An evaluation's samples are single attempts through the same code sources as trajectories:
 * it starts a generation run with one iteration per trajectory and {@code samples} trajectories per
 * task, so the durable job queue generates, executes, stores and (after a restart, on any instance)
 * resumes them. Scores are always computed from what is stored: nothing is lost when an instance
 * dies, and a report can be rebuilt at any time.
 */
@Service
public class EvaluationService {

    static final int MAX_SAMPLES = 100;
    static final int MAX_K_VALUES = 10;
    static final int MAX_HISTORY = 200;
    static final int MAX_TOKENS = 32_768;
    private static final Pattern METRIC = Pattern.compile("pass@([0-9]{1,4})");

    private final EvaluationRepository evaluations;
    private final RunService runs;
    private final TaskRepository tasks;
    private final TransactionTemplate inOneTransaction;
    private final TransactionTemplate snapshot;

    public EvaluationService(EvaluationRepository evaluations, RunService runs, TaskRepository tasks,
                             PlatformTransactionManager transactions) {
        this.evaluations = evaluations;
        this.runs = runs;
        this.tasks = tasks;
        this.inOneTransaction = new TransactionTemplate(transactions);
        this.snapshot = new TransactionTemplate(transactions);
        this.snapshot.setReadOnly(true);
        this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
    }

    public EvaluationResult start(EvaluationRequest request) {
        if (request == null) {
            throw InvalidRequestException.of("body", "a JSON object is required");
        }
        List<FieldError> errors = new ArrayList<>();
        int samples = request.samples() == null ? 1 : request.samples();
        if (samples < 1 || samples > MAX_SAMPLES) {
            errors.add(new FieldError("samples", "must be between 1 and " + MAX_SAMPLES));
        }
        List<Integer> k = ks(request.k(), samples, errors);
        String sourceType = sourceType(request.source());
        boolean model = "openai".equals(sourceType);
        if (request.temperature() != null && (!model || !(request.temperature() >= 0 && request.temperature() <= 2))) {
            errors.add(new FieldError("temperature", model ? "must be between 0 and 2"
                    : "applies to the openai source only"));
        }
        if (request.maxTokens() != null && (!model || request.maxTokens() < 1 || request.maxTokens() > MAX_TOKENS)) {
            errors.add(new FieldError("maxTokens", model ? "must be between 1 and " + MAX_TOKENS
                    : "applies to the openai source only"));
        }
        EvaluationRequest.Gate gate = request.gate();
        if (gate != null) {
            Matcher m = gate.metric() == null ? null : METRIC.matcher(gate.metric());
            if (m == null || !m.matches() || !k.contains(Integer.parseInt(m.group(1)))) {
                errors.add(new FieldError("gate.metric", "must be pass@K for a K of k " + k));
            }
            if (gate.min() == null || !(gate.min() >= 0 && gate.min() <= 1)) {
                errors.add(new FieldError("gate.min", "is required, between 0 and 1"));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors, false);
        }
        if ("reference".equals(sourceType) && request.taskSet() != null && tasks.setExists(request.taskSet())) {
            long without = tasks.findValidBySet(request.taskSet()).stream()
                    .filter(t -> t.referenceSolution() == null || t.referenceSolution().isBlank()).count();
            if (without > 0) {
                throw InvalidRequestException.of("source.type", "the reference source needs a reference solution for"
                        + " every task; " + without + " valid task(s) of '" + request.taskSet() + "' have none");
            }
        }
        JsonNode source = withSampling(request);
        long seed = request.seed() == null ? 0L : request.seed();
        UUID id = UUID.randomUUID();
        inOneTransaction.executeWithoutResult(status -> {
            RunProgress run = startRun(request.taskSet(), source, samples, seed);
            evaluations.insert(new Evaluation(id, run.id(), run.taskSet(), sourceType, run.model(), samples, k,
                    request.temperature(), request.maxTokens(), seed, gate == null ? null : gate.metric(),
                    gate == null ? null : gate.min(), Instant.now()));
        });
        return result(id);
    }

    private RunProgress startRun(String taskSet, JsonNode source, int samples, long seed) {
        try {
            return runs.start(new RunRequest(taskSet, source, 1, samples, seed, null));
        } catch (InvalidRequestException e) {
            // the run's field names, in this request's words
            List<FieldError> renamed = e.errors().stream()
                    .map(f -> f.field().equals("samplesPerTask") ? new FieldError("samples", f.message()) : f)
                    .toList();
            throw new InvalidRequestException(renamed, e.tooLarge());
        }
    }

    private static List<Integer> ks(List<Integer> requested, int samples, List<FieldError> errors) {
        if (requested == null) {
            return List.of(1);
        }
        if (requested.isEmpty() || requested.size() > MAX_K_VALUES) {
            errors.add(new FieldError("k", "must list 1 to " + MAX_K_VALUES + " values"));
            return List.of(1);
        }
        TreeSet<Integer> k = new TreeSet<>();
        for (int i = 0; i < requested.size(); i++) {
            Integer value = requested.get(i);
            if (value == null || value < 1 || value > samples) {
                errors.add(new FieldError("k[" + i + "]", "must be between 1 and samples (" + samples
                        + "): pass@k needs at least k samples per task"));
            } else {
                k.add(value);
            }
        }
        return List.copyOf(k);
    }

    private static String sourceType(JsonNode source) {
        JsonNode type = source == null ? null : source.get("type");
        return type == null || !type.isString() ? null : type.asString();
    }

    /** The openai source with the evaluation's temperature and token limit, where given. */
    private static JsonNode withSampling(EvaluationRequest request) {
        if (!(request.source() instanceof ObjectNode object)
                || (request.temperature() == null && request.maxTokens() == null)) {
            return request.source();
        }
        ObjectNode copy = object.deepCopy();
        if (request.temperature() != null) {
            copy.put("temperature", request.temperature());
        }
        if (request.maxTokens() != null) {
            copy.put("maxTokens", request.maxTokens());
        }
        return copy;
    }

    /** The evaluation as of one snapshot of committed data. */
    public EvaluationResult result(UUID id) {
        return snapshot.execute(status -> read(find(id), true));
    }

    /** The newest evaluations first, without their per-task scores. */
    public List<EvaluationResult> history(String taskSet, String model, Integer limit) {
        int size = limit == null ? 50 : limit;
        if (size < 1 || size > MAX_HISTORY) {
            throw InvalidRequestException.of("limit", "must be between 1 and " + MAX_HISTORY);
        }
        return snapshot.execute(status -> evaluations.list(blankToNull(taskSet), blankToNull(model), size).stream()
                .map(e -> read(e, false)).toList());
    }

    public EvaluationResult cancel(UUID id) {
        runs.cancel(find(id).runId());
        return result(id);
    }

    /** The first failing sample of each task that has one (for reports). */
    public Map<UUID, FailingSample> failingSamples(UUID id) {
        Map<UUID, FailingSample> byTask = new LinkedHashMap<>();
        for (FailingSample s : evaluations.firstFailingSamples(find(id).runId())) {
            byTask.put(s.taskId(), s);
        }
        return byTask;
    }

    Evaluation find(UUID id) {
        return evaluations.find(id).orElseThrow(() -> new NotFoundException("no evaluation " + id));
    }

    private EvaluationResult read(Evaluation e, boolean withTasks) {
        RunProgress run = runs.progress(e.runId());
        RunProgress.Counts c = run.counts();
        EvaluationResult.Progress progress = new EvaluationResult.Progress(c.total(), c.queued(), c.running(),
                c.passed(), c.failed(), c.errored(), c.cancelled());
        EvaluationStatus status = status(run.status(), c);
        List<TaskScore> scores = evaluations.counts(e.runId()).stream().map(t -> scored(t, e.k())).toList();
        Map<String, Double> overall = overall(scores, e.k());
        String error = c.errored() > 0 ? c.errored() + " sample(s) errored; the first: "
                + evaluations.firstError(e.runId()).orElse("(no reason stored)") : null;
        Instant finished = status.ended() ? run.finishedAt() : null;
        Long duration = finished == null ? null : Duration.between(e.createdAt(), finished).toMillis();
        return new EvaluationResult(e.id(), e.runId(), e.taskSet(), e.sourceType(), e.model(),
                evaluations.reportedModels(e.runId()), status, e.samples(), e.k(), e.temperature(), e.maxTokens(),
                e.seed(), progress, overall, gate(e, status, overall, error), error, withTasks ? scores : List.of(),
                e.createdAt(), finished, duration);
    }

    static EvaluationStatus status(RunStatus run, RunProgress.Counts counts) {
        return switch (run) {
            case QUEUED -> EvaluationStatus.QUEUED;
            case RUNNING -> EvaluationStatus.RUNNING;
            case CANCELLED -> EvaluationStatus.CANCELLED;
            case COMPLETED -> counts.errored() > 0 || counts.cancelled() > 0 ? EvaluationStatus.ERRORED
                    : EvaluationStatus.COMPLETED;
        };
    }

    private static TaskScore scored(TaskScore t, List<Integer> ks) {
        Map<String, Double> pass = new LinkedHashMap<>();
        for (int k : ks) {
            pass.put("pass@" + k, t.n() >= k ? PassAtK.of(t.n(), t.c(), k) : null);
        }
        return new TaskScore(t.taskId(), t.externalId(), t.n(), t.c(), t.errored(), pass);
    }

    /** The mean over tasks of each pass@k; null while some task has fewer than k judged samples. */
    private static Map<String, Double> overall(List<TaskScore> scores, List<Integer> ks) {
        Map<String, Double> pass = new LinkedHashMap<>();
        for (int k : ks) {
            String name = "pass@" + k;
            boolean complete = !scores.isEmpty() && scores.stream().allMatch(t -> t.passAtK().get(name) != null);
            pass.put(name, complete ? scores.stream().mapToDouble(t -> t.passAtK().get(name)).average().orElseThrow()
                    : null);
        }
        return pass;
    }

    private static GateResult gate(Evaluation e, EvaluationStatus status, Map<String, Double> overall, String error) {
        if (!e.hasGate()) {
            return null;
        }
        Double value = overall.get(e.gateMetric());
        String metric = e.gateMetric();
        double min = e.gateMin();
        if (!status.ended()) {
            return new GateResult(metric, min, null, GateResult.Verdict.PENDING, "the evaluation is " + status);
        }
        if (status != EvaluationStatus.COMPLETED || value == null) {
            return new GateResult(metric, min, value, GateResult.Verdict.FAILED, "the evaluation ended " + status
                    + (error == null ? "" : ": " + error));
        }
        boolean passed = value >= min;
        return new GateResult(metric, min, value, passed ? GateResult.Verdict.PASSED : GateResult.Verdict.FAILED,
                String.format(java.util.Locale.ROOT, "%s = %.4f %s %.4f", metric, value, passed ? ">=" : "<", min));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
