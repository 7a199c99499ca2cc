package org.iterpref.gateway.route;

import static org.springframework.cloud.gateway.server.mvc.filter.BeforeFilterFunctions.rewritePath;
import static org.springframework.cloud.gateway.server.mvc.filter.BeforeFilterFunctions.uri;
import static org.springframework.cloud.gateway.server.mvc.handler.GatewayRouterFunctions.route;
import static org.springframework.cloud.gateway.server.mvc.handler.HandlerFunctions.http;
import static org.springframework.web.servlet.function.RequestPredicates.path;

import org.iterpref.gateway.config.GatewayProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.function.RequestPredicate;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The routes, built in code from {@code iterpref.gateway.routes.*}: {@code /api/<resource>/**}
 * to the generator at {@code /v1/<resource>/**} (executions included: the generator relays them to
 * the executor, which nothing else may reach), and {@code /v1/**} unchanged to the trainer's
 * OpenAI-compatible surface. Targets are fixed here; no request header, query or
 * absolute request URI picks one.
 */
@Configuration(proxyBeanMethods = false)
class GatewayRoutes {

    @Bean
    RouterFunction<ServerResponse> generatorRoutes(GatewayProperties properties, UpstreamFailures failures) {
        return apiRoute(Upstream.GENERATOR, properties, failures);
    }

    @Bean
    RouterFunction<ServerResponse> trainerRoutes(GatewayProperties properties, UpstreamFailures failures) {
        return route("trainer")
                .route(path("/v1/**"), http())
                .before(uri(Upstream.TRAINER.baseUrl(properties.routes())))
                .onError(Exception.class, (e, request) -> failures.answer(Upstream.TRAINER, e, request))
                .build();
    }

    private static RouterFunction<ServerResponse> apiRoute(Upstream upstream, GatewayProperties properties,
                                                           UpstreamFailures failures) {
        RequestPredicate paths = upstream.apiResources().stream()
                .map(resource -> path("/api/" + resource + "/**"))
                .reduce(RequestPredicate::or).orElseThrow();
        return route(upstream.serviceName())
                .route(paths, http())
                .before(uri(upstream.baseUrl(properties.routes())))
                .before(rewritePath("^/api/", "/v1/"))
                .onError(Exception.class, (e, request) -> failures.answer(upstream, e, request))
                .build();
    }
}
