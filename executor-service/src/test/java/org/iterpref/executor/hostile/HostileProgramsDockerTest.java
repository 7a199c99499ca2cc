package org.iterpref.executor.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import org.iterpref.executor.sandbox.docker.DockerSandbox;
import org.iterpref.executor.support.DockerEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The same hostile programs through the Docker backend, on the offline sandbox image (a Docker
 * engine and the image are made available by {@link DockerEngine}; never skipped).
 */
@Tag("hostile")
@Tag("docker")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "iterpref.executor.backend=docker")
class HostileProgramsDockerTest extends HostileProgramsTest {

    @BeforeAll
    static void engine() {
        DockerEngine.require();
    }

    @DynamicPropertySource
    static void image(DynamicPropertyRegistry registry) {
        registry.add("iterpref.executor.docker.image", () -> DockerEngine.IMAGE);
        registry.add("iterpref.executor.docker.interpreter", () -> DockerEngine.INTERPRETER);
    }

    /** The image's own /etc/passwd (world-readable in any image), not the host's. */
    @Override
    String readableOfTheSandboxOwn() {
        return "['/etc/passwd']";
    }

    /** Docker's own uid pool (iterpref.executor.docker.uid-base, default 62000). */
    @Override
    int[] uidRange() {
        return new int[] {62000, 63000};
    }

    @Override
    boolean expectsOneCore() {
        return false;
    }

    @Override
    void expectBackend() {
        assertThat(sandbox).isInstanceOf(DockerSandbox.class);
    }
}
