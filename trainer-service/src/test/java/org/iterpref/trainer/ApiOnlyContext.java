package org.iterpref.trainer;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The trainer as an API-only instance (no fine-tuning engine: jobs stay queued), on a random
 * port with its own embedded PostgreSQL, with small upload limits so tests can reach them. Test
 * classes extending it share one application context.
 */
@SpringBootTest(classes = TrainerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"iterpref.trainer.max-file-bytes=102400", "iterpref.trainer.files.max-line-chars=20000",
                "iterpref.trainer.pair-feeds.max-attempts=1"})
public abstract class ApiOnlyContext {

    /** {@code iterpref.trainer.max-file-bytes} here. */
    protected static final int MAX_FILE_BYTES = 102400;
    /** {@code iterpref.trainer.files.max-line-chars} here. */
    protected static final int MAX_LINE_CHARS = 20000;

    @LocalServerPort
    protected int port;

    protected HttpApi api;

    @BeforeEach
    void client() {
        api = new HttpApi(port);
    }
}
