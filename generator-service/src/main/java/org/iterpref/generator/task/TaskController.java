package org.iterpref.generator.task;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import org.iterpref.generator.config.GeneratorProperties;
import org.iterpref.generator.web.ConflictException;
import org.iterpref.common.problem.InvalidRequestException;
import org.iterpref.generator.web.NotFoundException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping(path = "/v1/tasks", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Tasks", description = "Coding tasks with tests and optional reference solutions")
class TaskController {

    private final TaskService service;
    private final TaskRepository tasks;
    private final int maxPageSize;

    TaskController(TaskService service, TaskRepository tasks, GeneratorProperties properties) {
        this.service = service;
        this.tasks = tasks;
        this.maxPageSize = properties.maxTasksPerPage();
    }

    /** One page of tasks. */
    record TaskPage(String set, int page, int size, long total, List<Task> tasks) {
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a task; its reference solution (if any) is validated in the executor")
    Task create(@RequestBody TaskRequest request) {
        return service.create(request);
    }

    @GetMapping("/{id}")
    @Operation(summary = "A task by id")
    Task get(@PathVariable UUID id) {
        return tasks.findById(id).orElseThrow(() -> new NotFoundException("no task " + id));
    }

    @GetMapping
    @Operation(summary = "Tasks, optionally of one set, page by page (page from 0)")
    TaskPage list(@RequestParam(required = false) String set, @RequestParam(defaultValue = "0") int page,
                  @RequestParam(defaultValue = "50") int size) {
        if (page < 0) {
            throw InvalidRequestException.of("page", "must be >= 0");
        }
        if (size < 1 || size > maxPageSize) {
            throw InvalidRequestException.of("size", "must be between 1 and " + maxPageSize);
        }
        List<Task> items = set == null ? tasks.findAll(page, size) : tasks.findBySet(set, page, size);
        return new TaskPage(set, page, size, tasks.count(set), items);
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a task; refused with 409 while trajectories use it")
    void delete(@PathVariable UUID id) {
        tasks.findById(id).orElseThrow(() -> new NotFoundException("no task " + id));
        if (tasks.usedByTrajectories(id)) {
            throw new ConflictException("task " + id + " is used by trajectories and cannot be deleted");
        }
        tasks.delete(id);
    }

    @PostMapping("/{id}/validate")
    @Operation(summary = "Validate a task's reference solution again (e.g. after the executor was down)")
    Task validate(@PathVariable UUID id) {
        return service.revalidate(id);
    }

    @PostMapping(path = "/import", consumes = {"application/x-ndjson", "application/jsonl", "application/json",
            MediaType.TEXT_PLAIN_VALUE, MediaType.APPLICATION_OCTET_STREAM_VALUE})
    @Operation(summary = "Import JSONL: format humaneval | mbpp | bigcodebench | jsonl (the project's own)",
            description = "Bad lines are reported by line number; good lines are kept. bigcodebenchPrompt picks the "
                    + "instruct or complete prompt of BigCodeBench tasks.")
    ImportReport importTasks(@RequestParam String format, @RequestParam String set,
                             @RequestParam(defaultValue = "instruct") String bigcodebenchPrompt,
                             HttpServletRequest request) throws IOException {
        TaskFormat parsed = switch (format.toLowerCase()) {
            case "humaneval" -> TaskFormat.HUMANEVAL;
            case "mbpp" -> TaskFormat.MBPP;
            case "bigcodebench" -> TaskFormat.BIGCODEBENCH;
            case "jsonl", "iterpref" -> TaskFormat.ITERPREF;
            default -> throw InvalidRequestException.of("format",
                    "unknown format '" + format + "'; supported: humaneval, mbpp, bigcodebench, jsonl");
        };
        TaskParser.BigCodeBenchPrompt prompt = switch (bigcodebenchPrompt.toLowerCase()) {
            case "instruct" -> TaskParser.BigCodeBenchPrompt.INSTRUCT;
            case "complete" -> TaskParser.BigCodeBenchPrompt.COMPLETE;
            default -> throw InvalidRequestException.of("bigcodebenchPrompt", "must be instruct or complete");
        };
        return service.importJsonl(request.getInputStream(), parsed, set, prompt);
    }
}
