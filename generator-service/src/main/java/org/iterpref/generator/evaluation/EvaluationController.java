package org.iterpref.generator.evaluation;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.UUID;
import org.iterpref.generator.evaluation.report.HtmlReport;
import org.iterpref.generator.evaluation.report.JunitReport;
import org.iterpref.generator.evaluation.report.MarkdownReport;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

@RestController
@RequestMapping(path = "/v1/evaluations", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Evaluations", description = "pass@k of a code source on a task set, quality gates and reports for CI")
class EvaluationController {

    private static final MediaType MARKDOWN = MediaType.parseMediaType("text/markdown;charset=UTF-8");
    private static final MediaType HTML = MediaType.parseMediaType("text/html;charset=UTF-8");
    private static final MediaType XML = MediaType.parseMediaType("application/xml;charset=UTF-8");

    private final EvaluationService service;
    private final EvaluationComparator comparator;
    private final EvaluationEvents events;

    EvaluationController(EvaluationService service, EvaluationComparator comparator, EvaluationEvents events) {
        this.service = service;
        this.comparator = comparator;
        this.events = events;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Start an evaluation: `samples` single attempts per valid task, scored by pass@k")
    EvaluationResult start(@RequestBody EvaluationRequest request) {
        return service.start(request);
    }

    @GetMapping
    @Operation(summary = "History, newest first, optionally of one task set and/or model (without per-task scores)")
    List<EvaluationResult> history(@RequestParam(required = false) String taskSet,
                                   @RequestParam(required = false) String model,
                                   @RequestParam(required = false) Integer limit) {
        return service.history(taskSet, model, limit);
    }

    @GetMapping("/compare")
    @Operation(summary = "Candidate against base on the same tasks: per-task deltas, fixed and broken tasks, "
            + "overall delta with a paired bootstrap 95% interval")
    Comparison compare(@RequestParam UUID base, @RequestParam UUID candidate,
                       @RequestParam(required = false) String metric) {
        return comparator.compare(base, candidate, metric);
    }

    @GetMapping("/{id}")
    @Operation(summary = "Status, progress, per-task n, c and pass@k, overall pass@k, the gate's verdict")
    EvaluationResult get(@PathVariable UUID id) {
        return service.result(id);
    }

    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Server-Sent Events: `progress` with the whole evaluation when it changes, `end` when it ends")
    SseEmitter events(@PathVariable UUID id) {
        service.result(id);
        return events.subscribe(id);
    }

    @PostMapping("/{id}/cancel")
    @Operation(summary = "Cancel: queued samples now, running ones after their attempt")
    EvaluationResult cancel(@PathVariable UUID id) {
        return service.cancel(id);
    }

    @GetMapping(path = "/{id}/report.junit.xml", produces = "application/xml")
    @Operation(summary = "JUnit XML: a testcase per task (failing when no sample passed) and one for the gate")
    ResponseEntity<String> junit(@PathVariable UUID id) {
        return ResponseEntity.ok().contentType(XML).body(JunitReport.render(service.result(id), service.failingSamples(id)));
    }

    @GetMapping(path = "/{id}/report.md", produces = "text/markdown")
    @Operation(summary = "Markdown report: summary, pass@k bars, per-task table, a failing sample with its feedback")
    ResponseEntity<String> markdown(@PathVariable UUID id) {
        return ResponseEntity.ok().contentType(MARKDOWN)
                .body(MarkdownReport.render(service.result(id), service.failingSamples(id)));
    }

    @GetMapping(path = "/{id}/report.html", produces = "text/html")
    @Operation(summary = "HTML report (self-contained): summary, pass@k bars, per-task table, a failing sample")
    ResponseEntity<String> html(@PathVariable UUID id) {
        return ResponseEntity.ok().contentType(HTML).body(HtmlReport.render(service.result(id), service.failingSamples(id)));
    }
}
