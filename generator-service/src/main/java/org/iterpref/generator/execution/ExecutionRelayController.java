package org.iterpref.generator.execution;

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
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The executor's public API, served by the generator: the executor accepts calls from the
 * generator only (k8s NetworkPolicies), so the gateway's {@code /api/executions/**} comes here.
 * Bodies are relayed as they are (the executor validates them), up to the executor's own cap.
 */
@RestController
@RequestMapping(path = "/v1/executions")
@Tag(name = "Executions", description = "Run a program against its tests in the executor's sandbox (relayed)")
class ExecutionRelayController {

    private final ExecutorRelay relay;

    ExecutionRelayController(ExecutorRelay relay) {
        this.relay = relay;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Run one program against its tests",
            description = "Relayed to the executor: each test runs in its own process inside one sandbox and gets "
                    + "its own verdict. Test styles: assert-style `code`, stdin/stdout (`stdin` + `expectedStdout`), "
                    + "`unittest` (one result per test method, named Class.method).",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = ExecutionRequest.class))))
    @ApiResponse(responseCode = "200", description = "Executed (whatever the verdict)", content = @Content(
            mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = ExecutionResult.class)))
    @ApiResponse(responseCode = "400", description = "Invalid request (the executor's problem); `errors[].field` names the field",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "413", description = "A size cap was exceeded", content = @Content(
            mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "429", description = "The executor's queue is full; retry after the `Retry-After` seconds",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "502", description = "The executor failed or its answer was too large", content = @Content(
            mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "503", description = "The executor is unreachable", content = @Content(
            mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "504", description = "The executor did not answer in time", content = @Content(
            mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    CompletableFuture<ResponseEntity<byte[]>> execute(@RequestBody byte[] body, @RequestHeader HttpHeaders headers) {
        return relay.relay(ExecutorRelay.Endpoint.EXECUTIONS, body, headers);
    }

    @PostMapping(path = "/batch", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Run several programs; results come back in request order",
            description = "Relayed to the executor, which admits the batch whole or refuses it whole with 429.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = BatchExecutionRequest.class))))
    @ApiResponse(responseCode = "200", description = "Executed", content = @Content(
            mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = BatchExecutionResult.class)))
    @ApiResponse(responseCode = "400", description = "Invalid request; fields are named like `executions[3].code`",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "413", description = "A size cap was exceeded", content = @Content(
            mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "429", description = "The executor's queue is full", content = @Content(
            mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "502", description = "The executor failed or its answer was too large", content = @Content(
            mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "503", description = "The executor is unreachable", content = @Content(
            mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "504", description = "The executor did not answer in time", content = @Content(
            mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    CompletableFuture<ResponseEntity<byte[]>> executeBatch(@RequestBody byte[] body, @RequestHeader HttpHeaders headers) {
        return relay.relay(ExecutorRelay.Endpoint.BATCH, body, headers);
    }
}
