package org.iterpref.bench;

/**
 * Benchmark settings: system properties {@code -Dbench.NAME=VALUE}, overridden by program
 * arguments {@code NAME=VALUE} or {@code --NAME=VALUE}.
 *
 * @param programs    programs per measured pass (the corpus size)
 * @param concurrency bare subprocesses at once, client threads, and (unless {@code workers} says
 *                    otherwise) the service's workers
 * @param batch       programs per {@code /v1/executions/batch} request
 * @param python      interpreter of both sides (bare, and the service's sandboxed runtime)
 * @param warmup      programs run each way before measuring, untimed
 * @param rounds      measured bare/service pairs, alternated
 * @param wallTimeMs  per-test wall time limit sent to the service
 * @param backend     the service's sandbox backend: bubblewrap (the benchmark proper), docker (a
 *                    container per execution on the offline image); unsandboxed only to split
 *                    the overhead between the sandbox and the rest (diagnostic)
 * @param forkServer  bubblewrap with fork servers (the service's default as root) or a new
 *                    sandbox and interpreter per execution
 * @param workers     the service's workers (executions it runs at once); 0 = {@code concurrency}
 */
record BenchOptions(int programs, int concurrency, int batch, String python, int warmup, int rounds, int wallTimeMs,
                    String backend, boolean forkServer, int workers) {

    /** How many executions the service runs at once. */
    int serviceWorkers() {
        return workers > 0 ? workers : concurrency;
    }

    /** The backend as the results table names it. */
    String backendLabel() {
        if (!backend.equals("bubblewrap")) {
            return backend;
        }
        return backend + (forkServer ? " (fork servers, when root)" : " (a sandbox per execution)");
    }

    static BenchOptions from(String[] args) {
        BenchArgs values = new BenchArgs(args);
        int cores = Runtime.getRuntime().availableProcessors();
        BenchOptions o = new BenchOptions(
                values.integer("programs", 500),
                values.integer("concurrency", cores),
                values.integer("batch", 10),
                values.string("python", "/usr/bin/python3"),
                values.integer("warmup", 50),
                values.integer("rounds", 2),
                values.integer("wallTimeMs", 5000),
                values.string("backend", "bubblewrap"),
                Boolean.parseBoolean(values.string("forkServer", "true")),
                values.integer("workers", 0));
        if (o.programs < 1 || o.concurrency < 1 || o.batch < 1 || o.warmup < 0 || o.rounds < 1) {
            throw new IllegalArgumentException("programs, concurrency, batch and rounds must be >= 1: " + o);
        }
        return o;
    }
}
