package org.iterpref.web;

import java.util.List;
import org.apache.catalina.Host;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Every error a service answers, in its caller's shape, also those no controller sees: Tomcat's own
 * (its valve), the container's error dispatches (the error controller, in place of Spring Boot's),
 * Spring MVC's on OpenAI paths ({@code iterpref.web.openai-error-paths}), a Content-Type no
 * controller can read (415), request bodies of the wrong type (400, not coerced), and a database
 * that cannot be reached (503 with Retry-After).
 */
@AutoConfiguration(beforeName = "org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class HttpErrorsAutoConfiguration {

    @Bean
    ErrorBodies errorBodies(Environment environment) {
        Binder binder = Binder.get(environment);
        return new ErrorBodies(binder.bind("iterpref.web.openai-error-paths", Bindable.listOf(String.class))
                .orElse(List.of()), binder.bind("iterpref.web.openai-errors-when-path-unknown", Boolean.class)
                .orElse(false));
    }

    @Bean
    ProblemErrorController problemErrorController(ErrorBodies bodies) {
        return new ProblemErrorController(bodies);
    }

    @Bean
    DatabaseOutageResolver databaseOutageResolver(ErrorBodies bodies) {
        return new DatabaseOutageResolver(bodies);
    }

    @Bean
    OpenAiErrorShapeAdvice openAiErrorShapeAdvice(ErrorBodies bodies) {
        return new OpenAiErrorShapeAdvice(bodies);
    }

    /**
     * {@code iterpref.web.strict-text} (default true): refuse text with a NUL or an unpaired surrogate.
     * A service that stores no text and must take what a model wrote (the executor: a generated
     * program with a NUL byte gets a verdict, not a 400) turns it off.
     */
    @Bean
    StrictJsonBodies strictJsonBodies(Environment environment) {
        return new StrictJsonBodies(Binder.get(environment).bind("iterpref.web.strict-text", Boolean.class).orElse(true));
    }

    @Bean
    FilterRegistrationBean<QueryTextGuardFilter> queryTextGuardFilter(ErrorBodies bodies) {
        FilterRegistrationBean<QueryTextGuardFilter> registration =
                new FilterRegistrationBean<>(new QueryTextGuardFilter(bodies));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 49);
        return registration;
    }

    @Bean
    FilterRegistrationBean<ContentTypeGuardFilter> contentTypeGuardFilter(ErrorBodies bodies) {
        FilterRegistrationBean<ContentTypeGuardFilter> registration =
                new FilterRegistrationBean<>(new ContentTypeGuardFilter(bodies));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 50);
        return registration;
    }

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReportValve(ErrorBodies bodies) {
        return new ValveCustomizer(bodies);
    }

    /** Runs after Spring Boot's customizer, which adds Tomcat's HTML error valve: replaces it. */
    private record ValveCustomizer(ErrorBodies bodies)
            implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addContextCustomizers(context -> {
                Host host = (Host) context.getParent();
                for (Valve valve : host.getPipeline().getValves()) {
                    if (valve instanceof ErrorReportValve && !(valve instanceof ProblemErrorReportValve)) {
                        host.getPipeline().removeValve(valve);
                    }
                }
                ProblemErrorReportValve valve = new ProblemErrorReportValve();
                valve.setBodies(bodies);
                host.getPipeline().addValve(valve);
                if (host instanceof StandardHost standard) {
                    standard.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
                }
            });
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
