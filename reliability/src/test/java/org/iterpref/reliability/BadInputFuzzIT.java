package org.iterpref.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.iterpref.reliability.OpenApiOperations.ErrorShape;
import org.iterpref.reliability.OpenApiOperations.Operation;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Bad input against the real platform: hostile variants of every operation of the services'
 * OpenAPI documents (generator, trainer, gateway; the executor straight at its port, as it is only
 * relayed), mostly through the gateway with an admin key, some straight at the services. Every
 * answer must be a 4xx in the caller's error shape (never a 5xx, never a stack trace), and every
 * table of every service database must be unchanged. {@code -Dfuzz.requests=N}, {@code -Dfuzz.seed=S}.
 */
class BadInputFuzzIT {

    static final List<String> DATABASES = List.of("generator", "trainer", "gateway");
    static final int THREADS = 4;
    static final Pattern STACK_TRACE = Pattern.compile("(?s).*(\\bat (java|javax|jakarta|org|com|tools|sun)\\.[\\w.$]+\\("
            + "|\\b(java|javax|jakarta|org|com|tools|sun)\\.[\\w.$]+(Exception|Error)\\b|Exception:|\\.java:\\d+).*");
    /** Request kinds that make a body invalid whatever else it holds: a 2xx to one of these is a defect. */
    static final Set<HostileRequests.Kind> ALWAYS_INVALID = Set.of(HostileRequests.Kind.BROKEN_JSON,
            HostileRequests.Kind.WRONG_TYPE, HostileRequests.Kind.DEEP, HostileRequests.Kind.RAW_BYTES);

    @Test
    void hostileRequestsGetFourHundredsInTheirApisErrorShapeAndChangeNoStoredData() throws Exception {
        PlatformProcesses platform = PlatformProcesses.get();
        int requests = Integer.getInteger("fuzz.requests", 10_000);
        long seed = Long.getLong("fuzz.seed", 20261203L);
        String key = PlatformApi.createKey(platform, "fuzz", List.of("admin"), 1_000_000, 1_000_000)[1];
        PlatformApi.seed(platform, key);
        List<Operation> operations = operations(platform);
        ValidBodies.load(platform);
        Map<String, String> before = TableChecksums.of(platform, DATABASES);

        Map<String, Map<String, AtomicInteger>> counts = new ConcurrentHashMap<>();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<String> accepted = Collections.synchronizedList(new ArrayList<>());
        System.out.printf("fuzz: %d requests over %d operations, seed %d (-Dfuzz.requests, -Dfuzz.seed)%n",
                requests, operations.size(), seed);
        long begin = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        for (int i = 0; i < requests; i++) {
            int n = i;
            pool.execute(() -> {
                Operation op = operations.get(n % operations.size());
                String verdict;
                try {
                    Random random = new Random(seed * 1_000_003L + n);
                    HostileRequests request = HostileRequests.of(op, declared(operations, op),
                            op.via().equals("gateway") ? key : null, random);
                    verdict = check(op, request, failures, accepted, n);
                } catch (RuntimeException e) {
                    failures.add("#" + n + " " + op.key() + " -> the fuzzer failed: " + e);
                    verdict = "fuzzer error";
                }
                counts.computeIfAbsent(op.key(), k -> new ConcurrentHashMap<>())
                        .computeIfAbsent(verdict, k -> new AtomicInteger()).incrementAndGet();
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.MINUTES)).as("the fuzz run ended").isTrue();
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - begin);
        Map<String, String> after = TableChecksums.of(platform, DATABASES);

        String report = report(counts, requests, seconds, seed, before, after, failures, accepted);
        int answered = counts.values().stream().flatMap(m -> m.values().stream()).mapToInt(AtomicInteger::get).sum();
        System.out.println(report);
        PlatformApi.write(platform.logs.resolve("../fuzz-report.txt").normalize(), report);
        assertThat(answered).as("requests sent and counted").isEqualTo(requests);
        assertThat(failures).as("requests answered wrongly (see target/fuzz-report.txt)").isEmpty();
        assertThat(after).as("table checksums after the fuzz run").isEqualTo(before);
    }

    private static String check(Operation op, HostileRequests request, List<String> failures, List<String> accepted,
                                int n) {
        RawHttp.Reply reply;
        try {
            reply = RawHttp.send(op.port(), request.method(), request.target(), request.headers(), request.body());
        } catch (IOException e) {
            failures.add(describe(n, op, request, null) + " -> no answer: " + e);
            return "no answer";
        }
        String problem = problemWith(op, request, reply);
        if (problem != null) {
            failures.add(describe(n, op, request, reply) + " -> " + problem);
        } else if (reply.status() < 300 && op.changesState() && request.kind() != HostileRequests.Kind.METHOD) {
            accepted.add(describe(n, op, request, reply));
        }
        return Integer.toString(reply.status());
    }

    /** What is wrong with an answer, or null. */
    static String problemWith(Operation op, HostileRequests request, RawHttp.Reply reply) {
        if (reply.status() >= 500) {
            return "server error";
        }
        if (STACK_TRACE.matcher(reply.body()).matches()) {
            return "a stack trace or exception class in the body";
        }
        if (reply.status() < 300) {
            String type = op.bodyType() == null ? "application/json" : op.bodyType();
            boolean invalid = op.changesState() && ALWAYS_INVALID.contains(request.kind())
                    && !type.contains("ndjson") && !type.contains("jsonl");
            return invalid ? "accepted a body that cannot be valid" : null;
        }
        if (reply.status() < 400) {
            return null; // a redirect is no error answer
        }
        boolean openAi = shape(op, request, reply) == ErrorShape.OPENAI;
        JsonNode body;
        try {
            body = PlatformApi.JSON.readTree(reply.body());
        } catch (RuntimeException e) {
            return "not JSON (" + reply.contentType() + ")";
        }
        if (openAi) {
            JsonNode error = body.path("error");
            boolean ok = reply.contentType().startsWith("application/json") && error.path("message").isString()
                    && error.path("type").isString() && error.has("param") && error.has("code");
            return ok ? null : "not OpenAI's error shape (" + reply.contentType() + ")";
        }
        boolean ok = reply.contentType().startsWith("application/problem+json")
                && body.path("status").asInt() == reply.status() && body.path("title").isString()
                && body.path("detail").isString();
        return ok ? null : "not problem+json with status, title and detail (" + reply.contentType() + ")";
    }

    /**
     * The shape the caller's API speaks: OpenAI's on the trainer's /v1 surface, problem+json
     * elsewhere. A request target the gateway's Tomcat cannot read at all has no path the gateway
     * knows: it answers problem+json then, and that is accepted.
     */
    private static ErrorShape shape(Operation op, HostileRequests request, RawHttp.Reply reply) {
        String target = new String(request.target(), StandardCharsets.ISO_8859_1);
        boolean v1 = target.startsWith("/v1/") || target.equals("/v1");
        if (op.via().equals("gateway") && unreadableTarget(request.target())
                && reply.contentType().startsWith("application/problem+json")) {
            return ErrorShape.PROBLEM;
        }
        return v1 && (op.via().equals("gateway") || op.via().equals("trainer")) ? ErrorShape.OPENAI : ErrorShape.PROBLEM;
    }

    /** Targets Tomcat cannot read: too long, bytes outside printable ASCII, characters RFC 3986 never allows raw. */
    static boolean unreadableTarget(byte[] target) {
        if (target.length > 8_000) { // past Tomcat's 8 KiB request head: the request line was never read whole
            return true;
        }
        for (byte b : target) {
            int c = b & 0xff;
            if (c <= 0x20 || c >= 0x7f || "\"<>[\\]^`{|}".indexOf(c) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> declared(List<Operation> operations, Operation op) {
        Set<String> methods = new HashSet<>();
        for (Operation o : operations) {
            if (o.via().equals(op.via()) && o.path().equals(op.path())) {
                methods.add(o.method());
            }
        }
        return methods;
    }

    static JsonNode doc(int port) throws IOException {
        return PlatformApi.json(PlatformApi.call(port, "GET", "/v3/api-docs", null, null), 200);
    }

    /** Every operation, through the gateway and straight at the service ports. */
    static List<Operation> operations(PlatformProcesses platform) throws IOException {
        JsonNode generator = doc(platform.generatorPort);
        JsonNode trainer = doc(platform.trainerPort);
        JsonNode gateway = doc(platform.gatewayPort);
        JsonNode executor = doc(platform.executorPort);
        List<Operation> ops = new ArrayList<>();
        ops.addAll(OpenApiOperations.of(generator, "gateway", platform.gatewayPort,
                p -> p.startsWith("/v1/") ? "/api/" + p.substring(4) : null, p -> ErrorShape.PROBLEM));
        ops.addAll(OpenApiOperations.of(trainer, "gateway", platform.gatewayPort,
                p -> p.startsWith("/v1/") ? p : null, p -> ErrorShape.OPENAI));
        ops.addAll(OpenApiOperations.of(gateway, "gateway", platform.gatewayPort,
                p -> p.startsWith("/admin") ? p : null, p -> ErrorShape.PROBLEM));
        ops.addAll(OpenApiOperations.of(generator, "generator", platform.generatorPort, p -> p,
                p -> ErrorShape.PROBLEM));
        ops.addAll(OpenApiOperations.of(trainer, "trainer", platform.trainerPort, p -> p, p -> ErrorShape.OPENAI));
        ops.addAll(OpenApiOperations.of(executor, "executor", platform.executorPort, p -> p,
                p -> ErrorShape.PROBLEM));
        assertThat(ops).as("operations in the OpenAPI documents").hasSizeGreaterThan(20);
        return ops;
    }

    private static String describe(int n, Operation op, HostileRequests request, RawHttp.Reply reply) {
        String target = new String(request.target(), StandardCharsets.ISO_8859_1);
        String body = request.body() == null ? "" : new String(request.body(), StandardCharsets.ISO_8859_1);
        return String.format("#%d %s [%s] %s %s body=%s -> %s %s", n, op.key(), request.kind(), request.method(),
                abbreviate(target, 160), abbreviate(body, 160), reply == null ? "-" : reply.status(),
                reply == null ? "" : abbreviate(reply.contentType() + " " + reply.body(), 400));
    }

    static String abbreviate(String s, int max) {
        String printable = s.replaceAll("[\\p{Cntrl}]", "?");
        return printable.length() <= max ? printable : printable.substring(0, max) + "…(" + s.length() + ")";
    }

    private static String report(Map<String, Map<String, AtomicInteger>> counts, int requests, long seconds, long seed,
                                 Map<String, String> before, Map<String, String> after, List<String> failures,
                                 List<String> accepted) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("bad-input fuzz: %d requests in %d s, seed %d, %d CPUs%n", requests, seconds, seed,
                Runtime.getRuntime().availableProcessors()));
        Map<String, Integer> totals = new TreeMap<>();
        new TreeMap<>(counts).forEach((op, byStatus) -> {
            Map<String, Integer> sorted = new TreeMap<>();
            byStatus.forEach((status, count) -> sorted.put(status, count.get()));
            sorted.forEach((status, count) -> totals.merge(status, count, Integer::sum));
            out.append(String.format("  %-75s %5d  %s%n", op, sorted.values().stream().mapToInt(i -> i).sum(), sorted));
        });
        out.append("answers by status: ").append(totals).append('\n');
        out.append(String.format("tables checked: %d; changed: %s%n", before.size(),
                before.keySet().stream().filter(t -> !before.get(t).equals(after.get(t))).toList()));
        out.append("state-changing requests answered 2xx (stored nothing: see the checksums): ").append(accepted.size())
                .append('\n');
        accepted.stream().limit(20).forEach(a -> out.append("  ").append(a).append('\n'));
        out.append("failures: ").append(failures.size()).append('\n');
        failures.stream().limit(60).forEach(f -> out.append("  ").append(f).append('\n'));
        return out.toString();
    }
}
