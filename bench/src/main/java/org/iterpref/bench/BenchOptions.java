package org.iterpref.bench;

import java.util.HashMap;
import java.util.Map;

/**
 * Benchmark settings: system properties {@code -Dbench.NAME=VALUE}, overridden by program
 * arguments {@code NAME=VALUE} or {@code --NAME=VALUE}.
 *
 * @param programs    programs per measured pass (the corpus size)
 * @param concurrency bare subprocesses at once, client threads, and the service's workers
 * @param batch       programs per {@code /v1/executions/batch} request
 * @param python      interpreter of both sides (bare, and the service's sandboxed runtime)
 * @param warmup      programs run each way before measuring, untimed
 * @param rounds      measured bare/service pairs, alternated
 * @param wallTimeMs  per-test wall time limit sent to the service
 * @param backend     the service's sandbox backend: bubblewrap (the benchmark proper); unsandboxed
 *                    only to split the overhead between the sandbox and the rest (diagnostic)
 * @param forkServer  bubblewrap with fork servers (the service's default as root) or a new
 *                    sandbox and interpreter per execution
 */
record BenchOptions(int programs, int concurrency, int batch, String python, int warmup, int rounds, int wallTimeMs,
                    String backend, boolean forkServer) {

    /** The backend as the results table names it. */
    String backendLabel() {
        if (!backend.equals("bubblewrap")) {
            return backend;
        }
        return backend + (forkServer ? " (fork servers, when root)" : " (a sandbox per execution)");
    }

    static BenchOptions from(String[] args) {
        Map<String, String> values = new HashMap<>();
        for (String arg : args) {
            String a = arg.startsWith("--") ? arg.substring(2) : arg;
            a = a.startsWith("bench.") ? a.substring("bench.".length()) : a;
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected NAME=VALUE, got " + arg);
            }
            values.put(a.substring(0, eq), a.substring(eq + 1));
        }
        int cores = Runtime.getRuntime().availableProcessors();
        BenchOptions o = new BenchOptions(
                integer(values, "programs", 500),
                integer(values, "concurrency", cores),
                integer(values, "batch", 10),
                string(values, "python", "/usr/bin/python3"),
                integer(values, "warmup", 50),
                integer(values, "rounds", 2),
                integer(values, "wallTimeMs", 5000),
                string(values, "backend", "bubblewrap"),
                Boolean.parseBoolean(string(values, "forkServer", "true")));
        if (o.programs < 1 || o.concurrency < 1 || o.batch < 1 || o.warmup < 0 || o.rounds < 1) {
            throw new IllegalArgumentException("programs, concurrency, batch and rounds must be >= 1: " + o);
        }
        return o;
    }

    private static int integer(Map<String, String> args, String name, int fallback) {
        String v = string(args, name, null);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.strip());
    }

    private static String string(Map<String, String> args, String name, String fallback) {
        String v = args.get(name);
        if (v == null) {
            v = System.getProperty("bench." + name);
        }
        return v == null ? fallback : v;
    }
}
