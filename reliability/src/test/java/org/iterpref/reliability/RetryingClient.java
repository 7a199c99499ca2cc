package org.iterpref.reliability;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A client of two gateway replicas that does what a careful client does when one dies: a failed
 * connection or a 502/503/504 is sent again to the other replica, the same body with the same
 * {@code Idempotency-Key} (so a run the dead replica had already passed on is not started twice).
 * Bounded: {@link #ATTEMPTS} tries, {@link #PAUSE_MS} between them.
 */
final class RetryingClient {

    static final int ATTEMPTS = 6;
    static final long PAUSE_MS = 250;

    /**
     * One submission: what it was, its outcome (status of the last attempt, -1 for none), tries, the
     * id or set it made, and whether the answer was a replay ({@code Idempotent-Replayed: true}: an
     * earlier try had reached the generator, though its answer was lost).
     */
    record Submission(String kind, long sentNanos, int status, int attempts, String id, boolean replayed) {
    }

    private final List<Integer> ports;
    private final String key;

    RetryingClient(List<Integer> ports, String key) {
        this.ports = List.copyOf(ports);
        this.key = key;
    }

    static Map<String, Object> runRequest(String set, long seed, int samplesPerTask) {
        return Map.of("taskSet", set, "source", Map.of("type", "bug-injection"), "maxIterations", 3,
                "samplesPerTask", samplesPerTask, "seed", seed, "pairPolicy", "last");
    }

    Submission startRun(int preferred, String set, long seed) throws InterruptedException {
        String body = PlatformApi.JSON.writeValueAsString(runRequest(set, seed, 1));
        List<String[]> headers = List.of(new String[] {"Authorization", "Bearer " + key},
                new String[] {"Content-Type", "application/json"},
                new String[] {"Idempotency-Key", "faults-" + UUID.randomUUID()});
        return send("run", preferred, "/api/generation-runs", headers, body, null);
    }

    Submission importTask(int preferred, String set, String taskLine) throws InterruptedException {
        List<String[]> headers = List.of(new String[] {"Authorization", "Bearer " + key},
                new String[] {"Content-Type", "application/x-ndjson"});
        return send("import", preferred, "/api/tasks/import?format=jsonl&set=" + set, headers, taskLine + "\n", set);
    }

    private Submission send(String kind, int preferred, String path, List<String[]> headers, String body,
                            String knownId) throws InterruptedException {
        long sent = System.nanoTime();
        int status = -1;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            int port = ports.get((preferred + attempt - 1) % ports.size());
            try {
                RawHttp.Reply reply = RawHttp.send(port, "POST", path, headers, body);
                status = reply.status();
                if (status != 502 && status != 503 && status != 504) {
                    String id = knownId;
                    if (id == null && status / 100 == 2) {
                        id = PlatformApi.JSON.readTree(reply.body()).get("id").asString();
                    }
                    return new Submission(kind, sent, status, attempt, id,
                            "true".equalsIgnoreCase(reply.header("idempotent-replayed")));
                }
            } catch (IOException e) {
                status = -1;
            }
            Thread.sleep(PAUSE_MS);
        }
        return new Submission(kind, sent, status, ATTEMPTS, knownId, false);
    }
}
