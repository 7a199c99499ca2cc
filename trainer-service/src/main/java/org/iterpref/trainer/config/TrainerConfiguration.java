package org.iterpref.trainer.config;

import org.iterpref.trainer.chat.ChatTemplateEngine;
import org.iterpref.web.RequestSizeLimitFilter;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** Wiring: the request size limit on the API, the chat template engine. */
@Configuration(proxyBeanMethods = false)
class TrainerConfiguration {

    @Bean
    FilterRegistrationBean<RequestSizeLimitFilter> requestSizeLimitFilter(TrainerProperties properties) {
        FilterRegistrationBean<RequestSizeLimitFilter> registration =
                new FilterRegistrationBean<>(new RequestSizeLimitFilter(properties.maxRequestBytes()));
        registration.addUrlPatterns("/v1/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }

    /** One engine for every model's chat template (thread-safe, shares its expression cache). */
    @Bean
    ChatTemplateEngine chatTemplateEngine() {
        return new ChatTemplateEngine();
    }
}
