package org.iterpref.executor.hostile;

import org.junit.jupiter.api.Tag;
import org.springframework.boot.test.context.SpringBootTest;

/** The same hostile programs through a new bubblewrap sandbox per execution (no fork servers). */
@Tag("hostile")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "iterpref.executor.bubblewrap.fork-server=false")
class HostileProgramsPerExecutionSandboxTest extends HostileProgramsTest {

    @Override
    boolean expectsForkServers() {
        return false;
    }
}
