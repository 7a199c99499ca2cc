package org.iterpref.generator.config;

import java.util.Set;
import io.micrometer.core.instrument.MeterRegistry;
import org.iterpref.generator.execution.ExecutorRelay;
import org.iterpref.generator.executor.ExecutorClient;
import org.iterpref.web.RequestIdLogging;
import org.iterpref.web.RequestSizeLimitFilter;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
class GeneratorConfiguration {

    private static final String EXECUTIONS = "/v1/executions";
    private static final String EXECUTIONS_BATCH = "/v1/executions/batch";

    @Bean
    ExecutorClient executorClient(GeneratorProperties properties, JsonMapper jsonMapper) {
        return new ExecutorClient(properties.executor(), jsonMapper);
    }

    @Bean
    ExecutorRelay executorRelay(GeneratorProperties properties, MeterRegistry meters) {
        return new ExecutorRelay(properties.executor(), meters);
    }

    /**
     * JSON bodies are capped; the import streams its JSONL under max-import-bytes instead, and the
     * relayed executions have the executor's cap.
     */
    @Bean
    FilterRegistrationBean<RequestSizeLimitFilter> requestSizeLimitFilter(GeneratorProperties properties) {
        FilterRegistrationBean<RequestSizeLimitFilter> registration = new FilterRegistrationBean<>(
                new RequestSizeLimitFilter(properties.maxRequestBytes(), Set.of("/v1/tasks/import", "/v1/pairs/import",
                        EXECUTIONS, EXECUTIONS_BATCH)));
        registration.addUrlPatterns("/v1/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }

    /** Execution requests, relayed to the executor, up to the executor's own cap. */
    @Bean
    FilterRegistrationBean<RequestSizeLimitFilter> executionSizeLimitFilter(GeneratorProperties properties) {
        FilterRegistrationBean<RequestSizeLimitFilter> registration = new FilterRegistrationBean<>(
                new RequestSizeLimitFilter(properties.executor().maxRequestBytes()));
        registration.addUrlPatterns(EXECUTIONS, EXECUTIONS_BATCH);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 12);
        return registration;
    }

    /** Imports stream their bodies, up to max-import-bytes. */
    @Bean
    FilterRegistrationBean<RequestSizeLimitFilter> importSizeLimitFilter(GeneratorProperties properties) {
        FilterRegistrationBean<RequestSizeLimitFilter> registration = new FilterRegistrationBean<>(
                new RequestSizeLimitFilter(properties.maxImportBytes()));
        registration.addUrlPatterns("/v1/tasks/import", "/v1/pairs/import");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 11);
        return registration;
    }

    /** Every request's id on its log lines and its calls onward (the gateway's X-Request-Id, or a fresh one). */
    @Bean
    FilterRegistrationBean<RequestIdLogging> requestIdLogging() {
        FilterRegistrationBean<RequestIdLogging> registration = new FilterRegistrationBean<>(new RequestIdLogging());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }
}
