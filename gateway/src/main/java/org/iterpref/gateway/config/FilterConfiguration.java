package org.iterpref.gateway.config;

import io.micrometer.core.instrument.MeterRegistry;
import org.iterpref.gateway.auth.ApiKeyFilter;
import org.iterpref.gateway.error.ErrorResponses;
import org.iterpref.gateway.key.ApiKeys;
import org.iterpref.gateway.key.KeySecrets;
import org.iterpref.gateway.ratelimit.RateLimitFilter;
import org.iterpref.gateway.ratelimit.RateLimiter;
import org.iterpref.gateway.request.ContentTypeFilter;
import org.iterpref.gateway.request.PathGuardFilter;
import org.iterpref.gateway.request.RequestIdFilter;
import org.iterpref.gateway.request.RequestSizeFilter;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The servlet filters every request passes, in this order: request id, path guard, content type, size cap,
 * API key and scope, rate limit. The id comes first so every later answer and log line has it.
 */
@Configuration(proxyBeanMethods = false)
class FilterConfiguration {

    private static final int FIRST = Ordered.HIGHEST_PRECEDENCE;

    @Bean
    FilterRegistrationBean<RequestIdFilter> requestIdFilter() {
        return registration(new RequestIdFilter(), FIRST);
    }

    @Bean
    FilterRegistrationBean<PathGuardFilter> pathGuardFilter(ErrorResponses errors) {
        return registration(new PathGuardFilter(errors), FIRST + 10);
    }

    @Bean
    FilterRegistrationBean<ContentTypeFilter> contentTypeFilter(ErrorResponses errors) {
        return registration(new ContentTypeFilter(errors), FIRST + 15);
    }

    @Bean
    FilterRegistrationBean<RequestSizeFilter> requestSizeFilter(GatewayProperties properties, ErrorResponses errors) {
        return registration(new RequestSizeFilter(properties.requestSize(), errors), FIRST + 20);
    }

    @Bean
    FilterRegistrationBean<ApiKeyFilter> apiKeyFilter(ApiKeys keys, KeySecrets secrets, ErrorResponses errors,
                                                      MeterRegistry meters) {
        return registration(new ApiKeyFilter(keys, secrets, errors, meters), FIRST + 30);
    }

    @Bean
    FilterRegistrationBean<RateLimitFilter> rateLimitFilter(RateLimiter limiter, GatewayProperties properties,
                                                            ErrorResponses errors, MeterRegistry meters) {
        return registration(new RateLimitFilter(limiter, properties.rateLimit(), errors, meters), FIRST + 40);
    }

    private static <F extends jakarta.servlet.Filter> FilterRegistrationBean<F> registration(F filter, int order) {
        FilterRegistrationBean<F> registration = new FilterRegistrationBean<>(filter);
        registration.setOrder(order);
        return registration;
    }
}
