package org.iterpref.executor.config;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.iterpref.executor.execution.ExecutionMetrics;
import org.iterpref.executor.execution.ExecutionQueue;
import org.iterpref.executor.execution.ExecutionRequestValidator;
import org.iterpref.executor.execution.ExecutionRunner;
import org.iterpref.executor.execution.ExecutionService;
import org.iterpref.executor.health.SandboxHealthIndicator;
import org.iterpref.executor.health.SandboxSelfCheck;
import org.iterpref.executor.runtime.RuntimeRegistry;
import org.iterpref.executor.sandbox.Sandbox;
import org.iterpref.web.RequestIdLogging;
import org.iterpref.web.RequestSizeLimitFilter;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import tools.jackson.databind.json.JsonMapper;

/** Wires validation, the worker queue, the runner, metrics and the readiness check. */
@Configuration(proxyBeanMethods = false)
class ExecutionConfiguration {

    @Bean
    ExecutionRequestValidator executionRequestValidator(ExecutorProperties properties, RuntimeRegistry runtimes) {
        return new ExecutionRequestValidator(properties.limits(), runtimes);
    }

    @Bean
    ExecutionRunner executionRunner(Sandbox sandbox, RuntimeRegistry runtimes, JsonMapper jsonMapper) {
        return new ExecutionRunner(sandbox, runtimes, jsonMapper);
    }

    @Bean(destroyMethod = "close")
    ExecutionQueue executionQueue(ExecutorProperties properties, MeterRegistry registry) {
        return new ExecutionQueue(properties.effectiveWorkers(), properties.queueCapacity(), registry);
    }

    @Bean
    ExecutionService executionService(ExecutionRequestValidator validator, ExecutionRunner runner,
                                      ExecutionQueue queue, MeterRegistry registry) {
        return new ExecutionService(validator, runner, queue, new ExecutionMetrics(registry));
    }

    @Bean
    SandboxSelfCheck sandboxSelfCheck(ExecutionRunner runner) {
        return new SandboxSelfCheck(runner, Duration.ofSeconds(30), Clock.systemUTC());
    }

    /** Health contributor "sandbox" (the bean name without its HealthIndicator suffix), part of readiness. */
    @Bean
    SandboxHealthIndicator sandboxHealthIndicator(SandboxSelfCheck selfCheck, Sandbox sandbox) {
        return new SandboxHealthIndicator(selfCheck, sandbox.name());
    }

    @Bean
    FilterRegistrationBean<RequestSizeLimitFilter> requestSizeLimitFilter(ExecutorProperties properties) {
        FilterRegistrationBean<RequestSizeLimitFilter> registration =
                new FilterRegistrationBean<>(new RequestSizeLimitFilter(properties.maxRequestBytes()));
        registration.addUrlPatterns("/v1/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
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
