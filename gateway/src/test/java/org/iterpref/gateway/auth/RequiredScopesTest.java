package org.iterpref.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.iterpref.gateway.key.Scope;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The scope table of the README, route by route. */
class RequiredScopesTest {

    @ParameterizedTest(name = "{0} {1} needs {2}")
    @CsvSource({
        "GET, /api/tasks, READ",
        "HEAD, /api/pairs/export, READ",
        "GET, /v1/models, READ",
        "GET, /v1/fine_tuning/jobs/ftjob-1/events, READ",
        "POST, /api/tasks, SUBMIT",
        "POST, /api/tasks/import, SUBMIT",
        "DELETE, /api/tasks/t1, SUBMIT",
        "POST, /api/generation-runs/r1/cancel, SUBMIT",
        "POST, /api/evaluations, SUBMIT",
        "POST, /api/executions/batch, SUBMIT",
        "POST, /v1/completions, TRAIN",
        "POST, /v1/chat/completions, TRAIN",
        "POST, /v1/files, TRAIN",
        "DELETE, /v1/files/file-1, TRAIN",
        "POST, /v1/fine_tuning/jobs, TRAIN",
        "POST, /v1/models, ADMIN",
        "DELETE, /v1/models/Qwen/Qwen2.5-0.5B, ADMIN",
        "GET, /admin/keys, ADMIN",
        "POST, /admin/keys, ADMIN",
        "DELETE, /admin/keys/k1, ADMIN",
        "GET, /actuator/metrics, ADMIN"})
    void shouldNeedTheDocumentedScope(String method, String path, Scope scope) {
        assertThat(RequiredScopes.isOpen(path)).isFalse();
        assertThat(RequiredScopes.requiredFor(method, path)).isEqualTo(scope);
    }

    @ParameterizedTest
    @CsvSource({"/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness", "/actuator/prometheus",
        "/v3/api-docs", "/swagger-ui/index.html"})
    void shouldLeaveProbesMetricsAndDocsOpen(String path) {
        assertThat(RequiredScopes.isOpen(path)).isTrue();
    }
}
