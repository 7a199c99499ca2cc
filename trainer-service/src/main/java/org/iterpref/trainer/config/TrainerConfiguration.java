package org.iterpref.trainer.config;

import jakarta.servlet.MultipartConfigElement;
import java.util.Set;
import org.iterpref.trainer.chat.ChatTemplateEngine;
import org.iterpref.web.RequestIdLogging;
import org.iterpref.web.RequestSizeLimitFilter;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** Wiring: the request size limits on the API, the chat template engine. */
@Configuration(proxyBeanMethods = false)
class TrainerConfiguration {

    /** Multipart headroom beyond the file itself: the {@code purpose} field and part headers. */
    private static final long MULTIPART_OVERHEAD = 64 * 1024;

    /** Every JSON body is capped here; uploads are capped by the multipart limits below instead. */
    @Bean
    FilterRegistrationBean<RequestSizeLimitFilter> requestSizeLimitFilter(TrainerProperties properties) {
        FilterRegistrationBean<RequestSizeLimitFilter> registration = new FilterRegistrationBean<>(
                new RequestSizeLimitFilter(properties.maxRequestBytes(), Set.of("/v1/files")));
        registration.addUrlPatterns("/v1/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }

    /**
     * Uploads go to disk as they arrive (threshold 0), never into memory, and stop at
     * {@code iterpref.trainer.max-file-bytes}.
     */
    @Bean
    MultipartConfigElement multipartConfigElement(FineTuningProperties properties) {
        long max = properties.maxFileBytes();
        return new MultipartConfigElement("", max, max + MULTIPART_OVERHEAD, 0);
    }

    /** One engine for every model's chat template (thread-safe, shares its expression cache). */
    @Bean
    ChatTemplateEngine chatTemplateEngine() {
        return new ChatTemplateEngine();
    }

    /** Every request's id on its log lines and its calls onward (the gateway's X-Request-Id, or a fresh one). */
    @Bean
    FilterRegistrationBean<RequestIdLogging> requestIdLogging() {
        FilterRegistrationBean<RequestIdLogging> registration = new FilterRegistrationBean<>(new RequestIdLogging());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }
}
