package org.iterpref.generator.support;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A generator on a free port against a real PostgreSQL database of its own (per test class) and
 * the real executor. Subclasses call {@link #database} from their {@code @DynamicPropertySource}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
public abstract class GeneratorIntegrationTest {

    @LocalServerPort
    protected int port;

    protected GeneratorClient client() {
        return new GeneratorClient(port);
    }

    protected static void database(DynamicPropertyRegistry registry, Class<?> owner) {
        registry.add("spring.datasource.url", () -> SharedPostgres.jdbcUrl(owner.getSimpleName()));
        registry.add("spring.datasource.username", SharedPostgres::user);
        registry.add("spring.datasource.password", SharedPostgres::password);
        registry.add("iterpref.generator.executor.base-url", SharedExecutor::baseUrl);
    }
}
