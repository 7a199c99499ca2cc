package org.iterpref.generator.run;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

@RestController
@RequestMapping(path = "/v1/generation-runs", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Generation runs", description = "Trajectories for every task of a set, from one code source")
class RunController {

    static final String REPLAYED = "Idempotent-Replayed";

    private final RunService service;
    private final RunEvents events;

    RunController(RunService service, RunEvents events) {
        this.service = service;
        this.events = events;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Start a run: one trajectory per valid task and sample, run by the job workers",
            description = "With an Idempotency-Key, a retried submission (same key, same body) answers the run "
                    + "the first one started, again with 202 and the header Idempotent-Replayed: true, and starts "
                    + "no other; the same key with a different body is a 422.")
    ResponseEntity<RunProgress> start(@RequestBody RunRequest request,
            @Parameter(in = ParameterIn.HEADER, name = IdempotencyKey.HEADER, required = false,
                    description = "A key of the client's choosing (1 to 255 printable ASCII characters, e.g. a "
                            + "UUID), unique per run it means to start; retries of the submission send it again",
                    schema = @Schema(type = "string", minLength = 1, maxLength = IdempotencyKey.MAX_LENGTH))
            @RequestHeader(name = IdempotencyKey.HEADER, required = false) String idempotencyKey) {
        StartedRun started = service.start(request, IdempotencyKey.ofHeader(idempotencyKey));
        ResponseEntity.BodyBuilder reply = ResponseEntity.status(HttpStatus.ACCEPTED);
        if (started.replayed()) {
            reply.header(REPLAYED, "true");
        }
        return reply.body(started.progress());
    }

    @GetMapping("/{id}")
    @Operation(summary = "A run with its trajectory counts (queued, running, passed, failed, errored, cancelled)")
    RunProgress get(@PathVariable UUID id) {
        return service.progress(id);
    }

    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Server-Sent Events: a `progress` event whenever the counts change, `end` when the run ends")
    SseEmitter events(@PathVariable UUID id) {
        service.progress(id);
        return events.subscribe(id);
    }

    @PostMapping("/{id}/cancel")
    @Operation(summary = "Cancel: queued trajectories now, running ones after their current iteration")
    RunProgress cancel(@PathVariable UUID id) {
        return service.cancel(id);
    }
}
