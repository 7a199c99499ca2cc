package org.iterpref.executor.execution;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.concurrent.CompletableFuture;
import org.iterpref.common.execution.BatchExecutionRequest;
import org.iterpref.common.execution.BatchExecutionResult;
import org.iterpref.common.execution.ExecutionRequest;
import org.iterpref.common.execution.ExecutionResult;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping(path = "/v1/executions", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Executions", description = "Run a program against its tests in a sandbox")
class ExecutionController {

    private final ExecutionService executions;

    ExecutionController(ExecutionService executions) {
        this.executions = executions;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Run one program against its tests",
            description = "Each test runs in its own process inside one sandbox and gets its own verdict. "
                    + "Test styles: assert-style `code`, stdin/stdout (`stdin` + `expectedStdout`), "
                    + "`unittest` (one result per test method, named Class.method).")
    @ApiResponse(responseCode = "200", description = "Executed (whatever the verdict)")
    @ApiResponse(responseCode = "400", description = "Invalid request; `errors[].field` names the field",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "413", description = "A size cap was exceeded", content = @Content(
            mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "429", description = "Queue full; retry after the `Retry-After` seconds",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    CompletableFuture<ExecutionResult> execute(@RequestBody ExecutionRequest request) {
        return executions.execute(request);
    }

    @PostMapping(path = "/batch", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Run several programs; results come back in request order",
            description = "The batch is admitted whole or refused whole with 429.")
    @ApiResponse(responseCode = "200", description = "Executed")
    @ApiResponse(responseCode = "400", description = "Invalid request; fields are named like `executions[3].code`",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "413", description = "A size cap was exceeded", content = @Content(
            mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "429", description = "Queue full", content = @Content(
            mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    CompletableFuture<BatchExecutionResult> executeBatch(@RequestBody BatchExecutionRequest batch) {
        return executions.executeBatch(batch);
    }
}
