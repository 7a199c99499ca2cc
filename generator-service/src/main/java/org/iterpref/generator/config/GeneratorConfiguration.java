package org.iterpref.generator.config;

import java.util.Set;
import org.iterpref.generator.executor.ExecutorClient;
import org.iterpref.web.RequestSizeLimitFilter;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
class GeneratorConfiguration {

    @Bean
    ExecutorClient executorClient(GeneratorProperties properties, JsonMapper jsonMapper) {
        return new ExecutorClient(properties.executor(), jsonMapper);
    }

    /** JSON bodies are capped; the import streams its JSONL under max-import-bytes instead. */
    @Bean
    FilterRegistrationBean<RequestSizeLimitFilter> requestSizeLimitFilter(GeneratorProperties properties) {
        FilterRegistrationBean<RequestSizeLimitFilter> registration = new FilterRegistrationBean<>(
                new RequestSizeLimitFilter(properties.maxRequestBytes(), Set.of("/v1/tasks/import", "/v1/pairs/import")));
        registration.addUrlPatterns("/v1/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
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
}
