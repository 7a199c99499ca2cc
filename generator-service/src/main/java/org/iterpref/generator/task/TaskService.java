package org.iterpref.generator.task;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.iterpref.common.execution.TestCase;
import org.iterpref.generator.config.GeneratorProperties;
import org.iterpref.common.problem.FieldError;
import org.iterpref.common.problem.InvalidRequestException;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Creates, imports and validates tasks. */
@Service
public class TaskService {

    static final int MAX_TEXT_CHARS = 1 << 20;
    static final int MAX_TESTS = 1000;
    static final int MAX_NAME_CHARS = 200;
    static final int MAX_LINE_ERRORS = 1000;

    private final TaskRepository tasks;
    private final TaskValidator validator;
    private final JsonMapper json;
    private final long maxImportBytes;

    public TaskService(TaskRepository tasks, TaskValidator validator, JsonMapper json, GeneratorProperties properties) {
        this.tasks = tasks;
        this.validator = validator;
        this.json = json;
        this.maxImportBytes = properties.maxImportBytes();
    }

    public Task create(TaskRequest request) {
        Task task = toTask(request);
        if (!tasks.insert(task)) {
            throw new InvalidRequestException(List.of(new FieldError("id",
                    "set '" + task.taskSet() + "' already has a task with id '" + task.externalId() + "'")), false);
        }
        return validator.validate(List.of(task)).get(0);
    }

    /**
     * Streams JSONL: one task per line; bad lines are reported by number and the good ones kept.
     * Tasks are stored as they are read and validated {@link TaskValidator#BATCH} at a time, so an
     * import holds one batch, not the whole file, and the first tasks are ready before it ends.
     */
    public ImportReport importJsonl(InputStream body, TaskFormat format, String set,
                                    TaskParser.BigCodeBenchPrompt prompt) {
        requireSetName(set, "set");
        TaskParser parser = new TaskParser(prompt);
        List<ImportReport.LineError> errors = new ArrayList<>();
        List<Task> stored = new ArrayList<>();
        int[] verdicts = new int[TaskStatus.values().length];
        int imported = 0;
        int lines = 0;
        long bytes = 0;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                lines++;
                bytes += line.length() + 1;
                if (bytes > maxImportBytes) {
                    throw new InvalidRequestException(List.of(new FieldError("body",
                            "import larger than " + maxImportBytes + " bytes (stopped at line " + lines + ")")), true);
                }
                if (line.isBlank()) {
                    continue;
                }
                importLine(line, lines, format, set, parser, stored, errors);
                if (stored.size() >= TaskValidator.BATCH) {
                    imported += validate(stored, verdicts);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            imported += validate(stored, verdicts); // what was stored before a failure is validated too
        }
        return new ImportReport(set, format.name().toLowerCase(), lines, imported,
                verdicts[TaskStatus.VALID.ordinal()], verdicts[TaskStatus.INVALID.ordinal()],
                verdicts[TaskStatus.PENDING.ordinal()],
                errors.subList(0, Math.min(errors.size(), MAX_LINE_ERRORS)), errors.size() > MAX_LINE_ERRORS);
    }

    /** Validates the stored batch, counts its verdicts and empties it; how many tasks it held. */
    private int validate(List<Task> batch, int[] verdicts) {
        if (batch.isEmpty()) {
            return 0;
        }
        for (Task task : validator.validate(batch)) {
            verdicts[task.status().ordinal()]++;
        }
        int size = batch.size();
        batch.clear();
        return size;
    }

    private void importLine(String line, int number, TaskFormat format, String set, TaskParser parser,
                            List<Task> stored, List<ImportReport.LineError> errors) {
        try {
            JsonNode node = json.readTree(line);
            Task task = parser.parse(node, format, set);
            checkSizes(task);
            if (tasks.insert(task)) {
                stored.add(task);
            } else {
                errors.add(new ImportReport.LineError(number, "task '" + task.externalId() + "' already exists in set '"
                        + set + "'"));
            }
        } catch (IllegalArgumentException | InvalidRequestException e) {
            errors.add(new ImportReport.LineError(number, e.getMessage()));
        } catch (tools.jackson.core.JacksonException e) {
            errors.add(new ImportReport.LineError(number, "not valid JSON: " + e.getOriginalMessage()));
        }
    }

    public Task revalidate(UUID id) {
        Task task = tasks.findById(id).orElseThrow(() -> new org.iterpref.generator.web.NotFoundException(
                "no task " + id));
        return validator.validate(List.of(task)).get(0);
    }

    private Task toTask(TaskRequest r) {
        List<FieldError> errors = new ArrayList<>();
        if (r == null) {
            throw InvalidRequestException.of("body", "a JSON object is required");
        }
        requireSetName(r.set(), "set");
        if (r.prompt() == null || r.prompt().isBlank()) {
            errors.add(new FieldError("prompt", "is required"));
        }
        if (r.language() != null && !r.language().equals("python")) {
            errors.add(new FieldError("language", "unknown language '" + r.language() + "'; supported: [python]"));
        }
        if (r.id() != null && (r.id().isBlank() || r.id().length() > MAX_NAME_CHARS)) {
            errors.add(new FieldError("id", "must be 1 to " + MAX_NAME_CHARS + " characters"));
        }
        checkTests(r.tests(), errors);
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors, false);
        }
        Task task = new Task(UUID.randomUUID(), r.set(), r.id() == null ? UUID.randomUUID().toString() : r.id(),
                TaskFormat.ITERPREF, "python", r.prompt(), r.entryPoint(), r.referenceSolution(), r.tests(),
                TaskStatus.PENDING, null, r.metadata(), Instant.now());
        checkSizes(task);
        return task;
    }

    private static void checkTests(List<TestCase> tests, List<FieldError> errors) {
        if (tests == null || tests.isEmpty()) {
            errors.add(new FieldError("tests", "at least one test is required"));
            return;
        }
        if (tests.size() > MAX_TESTS) {
            throw new InvalidRequestException(List.of(new FieldError("tests", "at most " + MAX_TESTS + " tests")), true);
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tests.size(); i++) {
            TestCase t = tests.get(i);
            if (t == null || t.name() == null || t.name().isBlank() || t.name().length() > MAX_NAME_CHARS) {
                errors.add(new FieldError("tests[" + i + "].name", "is required (at most " + MAX_NAME_CHARS + " characters)"));
            } else if (!names.add(t.name())) {
                errors.add(new FieldError("tests[" + i + "].name", "duplicate test name '" + t.name() + "'"));
            }
            if (t != null && t.style().isEmpty()) {
                errors.add(new FieldError("tests[" + i + "]", "set exactly one of code, expectedStdout (with optional stdin), unittest"));
            }
        }
    }

    private static void checkSizes(Task task) {
        for (var field : List.of(new String[] {"prompt", task.prompt()}, new String[] {"referenceSolution",
                task.referenceSolution()})) {
            if (field[1] != null && field[1].length() > MAX_TEXT_CHARS) {
                throw new InvalidRequestException(List.of(new FieldError(field[0], "longer than " + MAX_TEXT_CHARS
                        + " characters")), true);
            }
        }
    }

    static void requireSetName(String set, String field) {
        if (set == null || !set.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw InvalidRequestException.of(field, "a task set name of 1-100 letters, digits, '.', '_' or '-' is required");
        }
    }
}
