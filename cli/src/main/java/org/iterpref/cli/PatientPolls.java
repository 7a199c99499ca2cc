package org.iterpref.cli;

import java.time.Duration;
import java.util.function.Supplier;
import org.iterpref.cli.http.ApiException;
import tools.jackson.databind.JsonNode;

/**
 * Polls that outlast a service restarting: while following work that the platform keeps in its
 * database (an evaluation, a run), an unreachable service or a 502/503/504 from a gateway means
 * "not now", not failure; the poll is repeated until the service answers again or {@code patience}
 * has passed since it last did. Any other error is final.
 */
public final class PatientPolls {

    private final Duration patience;
    private final Duration pause;
    private final ProgressLine progress;

    public PatientPolls(Duration patience, Duration pause, ProgressLine progress) {
        this.patience = patience;
        this.pause = pause;
        this.progress = progress;
    }

    public JsonNode get(Supplier<JsonNode> call) throws InterruptedException {
        long giveUp = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                return call.get();
            } catch (ApiException e) {
                if (!isTransient(e) || System.nanoTime() >= giveUp) {
                    throw e;
                }
                progress.show("unreachable", "service unavailable, retrying: " + e.getMessage());
                Thread.sleep(pause.toMillis());
            }
        }
    }

    static boolean isTransient(ApiException e) {
        return e.isTransient();
    }
}
