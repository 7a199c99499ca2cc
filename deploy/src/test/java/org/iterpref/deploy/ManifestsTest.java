package org.iterpref.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders every {@code k8s/overlays/NAME} with {@code kubectl kustomize} and checks the objects against
 * each other and against {@code docker-compose.yml}. Needs kubectl (with kustomize 5): it fails, never
 * skips, without one ({@code -Dkubectl=PATH} names another).
 */
class ManifestsTest {

    static final Path ROOT = findRoot();
    static final Set<String> WORKLOADS = Set.of("Deployment", "StatefulSet", "DaemonSet");

    // ---------------------------------------------------------------- rendering

    static Path findRoot() {
        Path p = Path.of("").toAbsolutePath();
        for (; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("docker-compose.yml")) && Files.isDirectory(p.resolve("k8s/overlays"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root (docker-compose.yml and k8s/overlays) above "
                + Path.of("").toAbsolutePath());
    }

    static List<String> overlays() throws IOException {
        try (Stream<Path> s = Files.list(ROOT.resolve("k8s/overlays"))) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static String kubectl() {
        String configured = System.getProperty("kubectl");
        if (configured != null && !configured.isBlank()) {
            if (!Files.isExecutable(Path.of(configured))) {
                fail("-Dkubectl=" + configured + " is not an executable file");
            }
            return configured;
        }
        for (String dir : Objects.requireNonNullElse(System.getenv("PATH"), "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "kubectl"))) {
                return Path.of(dir, "kubectl").toString();
            }
        }
        if (Files.isExecutable(Path.of("/usr/bin/kubectl"))) {
            return "/usr/bin/kubectl";
        }
        fail("kubectl was not found on PATH: the deploy module renders k8s/overlays/* with `kubectl kustomize` "
                + "(kubectl with kustomize 5). Install kubectl or pass -Dkubectl=/path/to/kubectl. "
                + "This test does not skip without it.");
        return null;
    }

    static final Map<String, List<Map<String, Object>>> RENDERED = new HashMap<>();

    static synchronized List<Map<String, Object>> render(String overlay) throws Exception {
        List<Map<String, Object>> cached = RENDERED.get(overlay);
        if (cached != null) {
            return cached;
        }
        Path err = Files.createTempFile("kustomize", ".err");
        Path out = Files.createTempFile("kustomize", ".yaml");
        try {
            Process p = new ProcessBuilder(kubectl(), "kustomize", ROOT.resolve("k8s/overlays").resolve(overlay).toString())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("kubectl kustomize k8s/overlays/" + overlay + " did not finish in 120 s");
            }
            if (p.exitValue() != 0) {
                fail("kubectl kustomize k8s/overlays/" + overlay + " failed (exit " + p.exitValue() + "):\n"
                        + Files.readString(err));
            }
            List<Map<String, Object>> docs = new ArrayList<>();
            for (Object o : yaml().loadAll(Files.readString(out))) {
                if (o != null) {
                    docs.add(map(o));
                }
            }
            assertThat(docs).as("objects rendered from " + overlay).isNotEmpty();
            RENDERED.put(overlay, docs);
            return docs;
        } finally {
            Files.deleteIfExists(err);
            Files.deleteIfExists(out);
        }
    }

    static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return new Yaml(options);
    }

    // ---------------------------------------------------------------- tree helpers

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o instanceof List<?> l ? (List<Object>) l : List.of();
    }

    static Object at(Object root, String... path) {
        Object cur = root;
        for (String key : path) {
            cur = map(cur).get(key);
            if (cur == null) {
                return null;
            }
        }
        return cur;
    }

    static String str(Object root, String... path) {
        Object v = at(root, path);
        return v == null ? null : v.toString();
    }

    static String kind(Map<String, Object> o) {
        return str(o, "kind");
    }

    static String id(Map<String, Object> o) {
        return kind(o) + "/" + str(o, "metadata", "name");
    }

    static String ns(Map<String, Object> o) {
        return Objects.requireNonNullElse(str(o, "metadata", "namespace"), "default");
    }

    static Stream<Map<String, Object>> ofKind(List<Map<String, Object>> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(kind(d)));
    }

    /** A workload's pod template, with its namespace. */
    record Pod(String owner, String namespace, Map<String, Object> labels, Map<String, Object> spec) {
        List<Map<String, Object>> containers() {
            return list(spec.get("containers")).stream().map(ManifestsTest::map).toList();
        }
    }

    static List<Pod> pods(List<Map<String, Object>> docs) {
        return docs.stream().filter(d -> WORKLOADS.contains(kind(d)))
                .map(d -> new Pod(id(d), ns(d), map(at(d, "spec", "template", "metadata", "labels")),
                        map(at(d, "spec", "template", "spec"))))
                .toList();
    }

    /** A LabelSelector (matchLabels and matchExpressions) or a plain Service selector map. */
    static boolean selects(Map<String, Object> selector, Map<String, Object> labels, boolean plain) {
        Map<String, Object> matchLabels = plain ? selector : map(selector.get("matchLabels"));
        for (Map.Entry<String, Object> e : matchLabels.entrySet()) {
            if (!Objects.equals(String.valueOf(e.getValue()), str(labels, e.getKey()))) {
                return false;
            }
        }
        if (plain) {
            return true;
        }
        for (Object o : list(selector.get("matchExpressions"))) {
            String key = str(o, "key");
            String value = str(labels, key);
            List<String> values = list(at(o, "values")).stream().map(String::valueOf).toList();
            boolean ok = switch (str(o, "operator")) {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new AssertionError("unknown selector operator in " + selector);
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- docker-compose.yml

    /** Compose service name -> (image with ${VAR:-default} resolved to its default, container ports). */
    record ComposeService(String name, String image, Set<Integer> ports) {
    }

    static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}");

    static String withDefaults(String s) {
        Matcher m = VARIABLE.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            if (m.group(2) == null || !m.group(2).endsWith("-")) {
                fail("docker-compose.yml: " + s + " has a variable without a default (${VAR:-default})");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(3)));
        }
        m.appendTail(out);
        return out.toString();
    }

    static Map<String, ComposeService> compose() throws IOException {
        Map<String, Object> file = map(yaml().load(Files.readString(ROOT.resolve("docker-compose.yml"))));
        Map<String, ComposeService> services = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : map(file.get("services")).entrySet()) {
            Map<String, Object> s = map(e.getValue());
            String image = str(s, "image");
            assertThat(image).as("compose service " + e.getKey() + " has an image").isNotNull();
            Set<Integer> ports = new TreeSet<>();
            for (Object p : list(s.get("expose"))) {
                ports.add(Integer.parseInt(p.toString().split("/")[0]));
            }
            for (Object p : list(s.get("ports"))) {
                String[] parts = p.toString().split("/")[0].split(":");
                ports.add(Integer.parseInt(parts[parts.length - 1]));
            }
            services.put(e.getKey(), new ComposeService(e.getKey(), withDefaults(image), ports));
        }
        return services;
    }

    // ---------------------------------------------------------------- checks on every overlay

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyContainerHasProbesResourcesAndANonRootSecurityContext(String overlay) throws Exception {
        List<String> problems = new ArrayList<>();
        List<Pod> pods = pods(render(overlay));
        assertThat(pods).as(overlay + ": workloads").isNotEmpty();
        for (Pod pod : pods) {
            Map<String, Object> podSc = map(pod.spec().get("securityContext"));
            if (Boolean.TRUE.equals(pod.spec().get("hostNetwork")) || Boolean.TRUE.equals(pod.spec().get("hostPID"))) {
                problems.add(pod.owner() + ": host network/pid");
            }
            for (Map<String, Object> c : pod.containers()) {
                String where = pod.owner() + " container " + str(c, "name");
                for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                    Map<String, Object> p = map(c.get(probe));
                    if (p.isEmpty() || (p.get("httpGet") == null && p.get("exec") == null
                            && p.get("tcpSocket") == null && p.get("grpc") == null)) {
                        problems.add(where + ": no " + probe);
                    }
                }
                if (str(c, "image") != null && str(c, "image").startsWith("iterpref/")) {
                    expectPath(problems, where, c, "startupProbe", "/actuator/health/liveness");
                    expectPath(problems, where, c, "livenessProbe", "/actuator/health/liveness");
                    expectPath(problems, where, c, "readinessProbe", "/actuator/health/readiness");
                }
                for (String side : List.of("requests", "limits")) {
                    for (String resource : List.of("cpu", "memory")) {
                        if (at(c, "resources", side, resource) == null) {
                            problems.add(where + ": no resources." + side + "." + resource);
                        }
                    }
                }
                Map<String, Object> sc = map(c.get("securityContext"));
                Object nonRoot = sc.containsKey("runAsNonRoot") ? sc.get("runAsNonRoot") : podSc.get("runAsNonRoot");
                if (!Boolean.TRUE.equals(nonRoot)) {
                    problems.add(where + ": runAsNonRoot is not true");
                }
                Object uid = sc.containsKey("runAsUser") ? sc.get("runAsUser") : podSc.get("runAsUser");
                if (uid != null && ((Number) uid).longValue() == 0) {
                    problems.add(where + ": runAsUser 0");
                }
                if (!Boolean.FALSE.equals(sc.get("allowPrivilegeEscalation"))) {
                    problems.add(where + ": allowPrivilegeEscalation is not false");
                }
                if (Boolean.TRUE.equals(sc.get("privileged"))) {
                    problems.add(where + ": privileged");
                }
                if (!list(at(sc, "capabilities", "drop")).contains("ALL")) {
                    problems.add(where + ": capabilities.drop lacks ALL");
                }
                if (!list(at(sc, "capabilities", "add")).isEmpty()) {
                    problems.add(where + ": adds capabilities " + at(sc, "capabilities", "add")
                            + " (the sandboxes need none as a non-root user)");
                }
                if (!Boolean.TRUE.equals(sc.get("readOnlyRootFilesystem"))) {
                    problems.add(where + ": root filesystem is writable");
                }
            }
        }
        assertThat(problems).as(overlay).isEmpty();
    }

    static void expectPath(List<String> problems, String where, Map<String, Object> c, String probe, String path) {
        String actual = str(c, probe, "httpGet", "path");
        if (!path.equals(actual)) {
            problems.add(where + ": " + probe + " path " + actual + ", expected " + path);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyServiceSelectsPodsAndTargetsOneOfTheirPorts(String overlay) throws Exception {
        List<Map<String, Object>> docs = render(overlay);
        List<Pod> pods = pods(docs);
        List<String> problems = new ArrayList<>();
        List<Map<String, Object>> services = ofKind(docs, "Service").toList();
        assertThat(services).as(overlay + ": Services").isNotEmpty();
        for (Map<String, Object> svc : services) {
            Map<String, Object> selector = map(at(svc, "spec", "selector"));
            List<Pod> selected = pods.stream().filter(p -> p.namespace().equals(ns(svc)))
                    .filter(p -> !selector.isEmpty() && selects(selector, p.labels(), true)).toList();
            if (selected.isEmpty()) {
                problems.add(id(svc) + ": selector " + selector + " matches no pod template");
                continue;
            }
            String type = Objects.requireNonNullElse(str(svc, "spec", "type"), "ClusterIP");
            if (!type.equals("ClusterIP")) {
                problems.add(id(svc) + ": type " + type + " (only the Ingress exposes the gateway)");
            }
            for (Object port : list(at(svc, "spec", "ports"))) {
                Object target = Objects.requireNonNullElse(map(port).get("targetPort"), map(port).get("port"));
                for (Pod pod : selected) {
                    boolean found = pod.containers().stream().flatMap(c -> list(c.get("ports")).stream())
                            .anyMatch(cp -> target instanceof Number n
                                    ? n.intValue() == ((Number) map(cp).get("containerPort")).intValue()
                                    : target.toString().equals(str(cp, "name")));
                    if (!found) {
                        problems.add(id(svc) + ": targetPort " + target + " is no container port of " + pod.owner());
                    }
                }
            }
        }
        assertThat(problems).as(overlay).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void selectorsOfPoliciesBudgetsMonitorsAndAutoscalersMatchSomething(String overlay) throws Exception {
        List<Map<String, Object>> docs = render(overlay);
        List<Pod> pods = pods(docs);
        List<String> problems = new ArrayList<>();
        assertThat(ofKind(docs, "NetworkPolicy")).as(overlay + ": NetworkPolicies").isNotEmpty();
        for (Map<String, Object> o : docs) {
            String kind = kind(o);
            if (kind.equals("NetworkPolicy") || kind.equals("PodDisruptionBudget")) {
                Map<String, Object> selector = map(at(o, "spec", kind.equals("NetworkPolicy") ? "podSelector" : "selector"));
                boolean any = pods.stream().filter(p -> p.namespace().equals(ns(o)))
                        .anyMatch(p -> selects(selector, p.labels(), false));
                if (!any) {
                    problems.add(id(o) + ": selector " + selector + " matches no pods");
                }
            }
            if (kind.equals("HorizontalPodAutoscaler")) {
                String targetKind = str(o, "spec", "scaleTargetRef", "kind");
                String targetName = str(o, "spec", "scaleTargetRef", "name");
                boolean exists = docs.stream().anyMatch(d -> Objects.equals(kind(d), targetKind)
                        && Objects.equals(str(d, "metadata", "name"), targetName) && ns(d).equals(ns(o)));
                if (!"Deployment".equals(targetKind) || !exists) {
                    problems.add(id(o) + ": targets " + targetKind + "/" + targetName + ", no such Deployment");
                }
            }
            if (kind.equals("ServiceMonitor")) {
                Map<String, Object> selector = map(at(o, "spec", "selector"));
                List<Map<String, Object>> svcs = ofKind(docs, "Service").filter(s -> ns(s).equals(ns(o)))
                        .filter(s -> selects(selector, map(at(s, "metadata", "labels")), false)).toList();
                if (svcs.isEmpty()) {
                    problems.add(id(o) + ": selects no Service");
                }
                for (Object ep : list(at(o, "spec", "endpoints"))) {
                    if (!"/actuator/prometheus".equals(str(ep, "path"))) {
                        problems.add(id(o) + ": path " + str(ep, "path"));
                    }
                    for (Map<String, Object> s : svcs) {
                        if (list(at(s, "spec", "ports")).stream().noneMatch(p -> Objects.equals(str(p, "name"), str(ep, "port")))) {
                            problems.add(id(o) + ": port " + str(ep, "port") + " is not a port of " + id(s));
                        }
                    }
                }
            }
            if (kind.equals("Ingress")) {
                for (Object rule : list(at(o, "spec", "rules"))) {
                    for (Object path : list(at(rule, "http", "paths"))) {
                        if (!"gateway".equals(str(path, "backend", "service", "name"))) {
                            problems.add(id(o) + ": exposes " + str(path, "backend", "service", "name") + ", only the gateway may be");
                        }
                    }
                }
            }
        }
        assertThat(problems).as(overlay).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void autoscalersUseMetricsTheServicesExport(String overlay) throws Exception {
        Set<String> targets = new HashSet<>();
        for (Map<String, Object> hpa : ofKind(render(overlay), "HorizontalPodAutoscaler").toList()) {
            targets.add(str(hpa, "spec", "scaleTargetRef", "name"));
            for (Object m : list(at(hpa, "spec", "metrics"))) {
                if ("Pods".equals(str(m, "type"))) {
                    String name = str(m, "pods", "metric", "name");
                    assertThat(meterNamesInSources()).as(id(hpa) + ": Pods metric " + name
                            + " is the Prometheus name of a gauge registered in */src/main/java").contains(name);
                }
            }
        }
        assertThat(targets).as(overlay + ": HPAs").contains("executor", "generator");
    }

    static Set<String> meterNames;

    static synchronized Set<String> meterNamesInSources() throws IOException {
        if (meterNames == null) {
            Set<String> names = new TreeSet<>();
            Pattern gauge = Pattern.compile("Gauge\\.builder\\(\"([a-z0-9_.]+)\"");
            for (String module : List.of("executor-service", "generator-service", "trainer-service", "gateway")) {
                try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                        Matcher m = gauge.matcher(Files.readString(f));
                        while (m.find()) {
                            names.add(m.group(1).replace('.', '_'));
                        }
                    }
                }
            }
            meterNames = names;
        }
        return meterNames;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void imagesAndPortsAgreeWithDockerCompose(String overlay) throws Exception {
        Map<String, ComposeService> compose = compose();
        List<String> problems = new ArrayList<>();
        for (Pod pod : pods(render(overlay))) {
            for (Map<String, Object> c : pod.containers()) {
                String image = str(c, "image");
                List<ComposeService> same = compose.values().stream().filter(s -> s.image().equals(image)).toList();
                if (same.isEmpty()) {
                    problems.add(pod.owner() + ": image " + image + " is in no docker-compose.yml service");
                    continue;
                }
                Set<Integer> ports = new TreeSet<>();
                for (Object p : list(c.get("ports"))) {
                    ports.add(((Number) map(p).get("containerPort")).intValue());
                }
                for (ComposeService s : same) {
                    if (!s.ports().equals(ports)) {
                        problems.add(pod.owner() + ": ports " + ports + " but compose service " + s.name() + " has " + s.ports());
                    }
                }
            }
        }
        assertThat(problems).as(overlay).isEmpty();
    }

    /**
     * Only the generator may call the executor, which runs untrusted code and calls nobody: the pods any
     * policy admits to the executor are exactly the generator's, on the executor's port; no policy gives
     * the executor egress; and no other policy's egress rule targets the executor's pods.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void onlyTheGeneratorReachesTheExecutorAndTheExecutorReachesNothing(String overlay) throws Exception {
        List<Map<String, Object>> docs = render(overlay);
        List<Pod> pods = pods(docs);
        Pod executor = pods.stream().filter(p -> p.owner().equals("Deployment/executor")).findFirst().orElseThrow();
        Set<String> generators = pods.stream().filter(p -> "generator".equals(str(p.labels(), "app.kubernetes.io/name")))
                .map(Pod::owner).collect(Collectors.toCollection(TreeSet::new));
        assertThat(generators).as(overlay + ": the generator's workloads").containsExactly("Deployment/generator");
        // the API port(s), the generator's alone; "management" (Actuator) is Prometheus's, from its namespace
        Set<Integer> executorPorts = new TreeSet<>();
        Set<String> executorPortNames = new TreeSet<>();
        Set<Object> managementPorts = new HashSet<>();
        for (Map<String, Object> c : executor.containers()) {
            for (Object cp : list(c.get("ports"))) {
                int number = ((Number) map(cp).get("containerPort")).intValue();
                if ("management".equals(str(cp, "name"))) {
                    managementPorts.add(number);
                    managementPorts.add("management");
                    continue;
                }
                executorPorts.add(number);
                if (str(cp, "name") != null) {
                    executorPortNames.add(str(cp, "name"));
                }
            }
        }
        List<Map<String, Object>> guarding = ofKind(docs, "NetworkPolicy").filter(np -> ns(np).equals(executor.namespace()))
                .filter(np -> selects(map(at(np, "spec", "podSelector")), executor.labels(), false)).toList();
        assertThat(guarding).as(overlay + ": a default deny covers the executor")
                .anyMatch(np -> list(at(np, "spec", "policyTypes")).containsAll(List.of("Ingress", "Egress"))
                        && at(np, "spec", "ingress") == null && at(np, "spec", "egress") == null);

        List<String> problems = new ArrayList<>();
        Set<String> admitted = new TreeSet<>();
        for (Map<String, Object> np : guarding) {
            if (!list(at(np, "spec", "egress")).isEmpty()) {
                problems.add(id(np) + " gives the executor egress: " + at(np, "spec", "egress"));
            }
            for (Object rule : list(at(np, "spec", "ingress"))) {
                List<Object> from = list(map(rule).get("from"));
                List<Object> rulePorts = list(map(rule).get("ports"));
                if (!rulePorts.isEmpty() && rulePorts.stream().allMatch(port -> managementPorts.contains(
                        map(port).get("port") instanceof Number n ? (Object) n.intValue() : String.valueOf(map(port).get("port"))))) {
                    // the Actuator port only: Prometheus's namespace and nobody else
                    boolean monitoringOnly = !from.isEmpty() && from.stream().allMatch(peer -> !map(peer).containsKey("ipBlock")
                            && Map.of("kubernetes.io/metadata.name", "monitoring")
                            .equals(map(at(map(peer), "namespaceSelector", "matchLabels"))));
                    if (!monitoringOnly) {
                        problems.add(id(np) + ": admits " + from + " to the executor's management port (only namespace monitoring may)");
                    }
                    continue;
                }
                if (from.isEmpty()) {
                    problems.add(id(np) + ": an ingress rule without peers admits everyone to the executor");
                }
                for (Object peer : from) {
                    if (map(peer).containsKey("ipBlock") || map(peer).containsKey("namespaceSelector")) {
                        problems.add(id(np) + ": admits " + peer + " to the executor (pods outside its namespace or addresses)");
                        continue;
                    }
                    Map<String, Object> selector = map(map(peer).get("podSelector"));
                    if (selects(selector, Map.of("app.kubernetes.io/name", "intruder"), false)) {
                        problems.add(id(np) + ": podSelector " + selector + " admits pods that are not the generator's");
                    }
                    pods.stream().filter(p -> p.namespace().equals(ns(np))).filter(p -> selects(selector, p.labels(), false))
                            .forEach(p -> admitted.add(p.owner()));
                }
                List<Object> ports = list(map(rule).get("ports"));
                if (ports.isEmpty()) {
                    problems.add(id(np) + ": an ingress rule without ports opens every port of the executor");
                }
                for (Object port : ports) {
                    Object number = map(port).get("port");
                    boolean own = number instanceof Number n ? executorPorts.contains(n.intValue())
                            : executorPortNames.contains(String.valueOf(number));
                    if (!own || map(port).containsKey("endPort") || !"TCP".equals(Objects.requireNonNullElse(str(port, "protocol"), "TCP"))) {
                        problems.add(id(np) + ": opens " + port + ", not the executor's TCP port " + executorPorts);
                    }
                }
            }
        }
        if (!admitted.equals(generators)) {
            problems.add("the workloads admitted to the executor are " + admitted + ", not exactly the generator's " + generators);
        }

        Map<String, Map<String, Object>> namespaceLabels = new HashMap<>();
        ofKind(docs, "Namespace").forEach(n -> namespaceLabels.put(str(n, "metadata", "name"), map(at(n, "metadata", "labels"))));
        Map<String, Object> executorNamespace = new HashMap<>(namespaceLabels.getOrDefault(executor.namespace(), Map.of()));
        executorNamespace.put("kubernetes.io/metadata.name", executor.namespace());
        boolean generatorEgress = false;
        for (Map<String, Object> np : ofKind(docs, "NetworkPolicy").toList()) {
            for (Object rule : list(at(np, "spec", "egress"))) {
                List<Object> to = list(map(rule).get("to"));
                if (to.isEmpty()) {
                    problems.add(id(np) + ": an egress rule without peers reaches every pod, the executor's included");
                }
                for (Object peer : to) {
                    Map<String, Object> p = map(peer);
                    if (p.containsKey("ipBlock")) {
                        String cidr = str(p, "ipBlock", "cidr");
                        if (cidr == null || cidr.endsWith("/0")) {
                            problems.add(id(np) + ": egress to " + cidr + " reaches every address, the executor's pods included");
                        }
                        continue;
                    }
                    boolean inNamespace = p.containsKey("namespaceSelector")
                            ? selects(map(p.get("namespaceSelector")), executorNamespace, false)
                            : ns(np).equals(executor.namespace());
                    boolean podMatches = !p.containsKey("podSelector") || selects(map(p.get("podSelector")), executor.labels(), false);
                    if (inNamespace && podMatches) {
                        Map<String, Object> from = map(at(np, "spec", "podSelector"));
                        boolean generatorsOnly = !selects(from, Map.of("app.kubernetes.io/name", "intruder"), false)
                                && pods.stream().filter(pod -> pod.namespace().equals(ns(np)))
                                        .filter(pod -> selects(from, pod.labels(), false))
                                        .allMatch(pod -> generators.contains(pod.owner()));
                        if (generatorsOnly) {
                            generatorEgress = true;
                        } else {
                            problems.add(id(np) + ": an egress rule of pods other than the generator's targets the executor: " + peer);
                        }
                    }
                }
            }
        }
        if (!generatorEgress) {
            problems.add("no egress rule lets the generator reach the executor");
        }
        assertThat(problems).as(overlay).isEmpty();
    }

    /**
     * Every ITERPREF_* variable given to a service (compose environments, k8s ConfigMaps and container env)
     * is in Spring's canonical form: dashes removed, not turned into underscores. The dashed form binds a
     * plain property but silently not a map key or a list element (iterpref.generator.model-servers.*,
     * iterpref.trainer.pair-feeds.allowed-urls), so the service would start with its default.
     */
    @Test
    void environmentVariablesUseTheCanonicalFormOfThePropertyNames() throws Exception {
        Set<String> placeholders = new TreeSet<>();
        Set<String> dashed = new TreeSet<>();
        Pattern placeholder = Pattern.compile("\\$\\{([A-Z0-9_]+)");
        Pattern dashedKey = Pattern.compile("\\b([a-z0-9]+(?:-[a-z0-9]+)+):");
        for (String module : List.of("executor-service", "generator-service", "trainer-service", "gateway")) {
            try (Stream<Path> files = Files.list(ROOT.resolve(module).resolve("src/main/resources"))) {
                for (Path f : files.filter(p -> p.getFileName().toString().matches("application.*\\.ya?ml")).toList()) {
                    String text = Files.readString(f);
                    placeholder.matcher(text).results().forEach(r -> placeholders.add(r.group(1)));
                    dashedKey.matcher(text).results().forEach(r -> dashed.add(r.group(1).replace('-', '_').toUpperCase()));
                }
            }
        }
        assertThat(dashed).as("dashed property names found in application*.yml").contains("BASE_URL", "MODEL_SERVERS", "PAIR_FEEDS");
        Map<String, Set<String>> names = new LinkedHashMap<>();
        Map<String, Object> file = map(yaml().load(Files.readString(ROOT.resolve("docker-compose.yml"))));
        map(file.get("services")).forEach((svc, s) -> names.put("docker-compose.yml " + svc, map(map(s).get("environment")).keySet()));
        for (String overlay : overlays()) {
            for (Map<String, Object> d : render(overlay)) {
                if ("ConfigMap".equals(kind(d))) {
                    names.put(overlay + " " + id(d), map(d.get("data")).keySet());
                }
            }
            for (Pod pod : pods(render(overlay))) {
                for (Map<String, Object> c : pod.containers()) {
                    Set<String> env = new TreeSet<>();
                    list(c.get("env")).forEach(e -> env.add(str(e, "name")));
                    names.put(overlay + " " + pod.owner(), env);
                }
            }
        }
        List<String> problems = new ArrayList<>();
        names.forEach((where, vars) -> {
            for (String v : vars) {
                if (!v.startsWith("ITERPREF_") || placeholders.contains(v)) {
                    continue;
                }
                if (!v.matches("ITERPREF_(EXECUTOR|GENERATOR|TRAINER|GATEWAY)_[A-Z0-9_]+")) {
                    problems.add(where + ": " + v + " names no service's iterpref.* properties");
                }
                for (String d : dashed) {
                    if (("_" + v + "_").contains("_" + d + "_")) {
                        problems.add(where + ": " + v + " spells " + d.toLowerCase().replace('_', '-')
                                + " with underscores; Spring's canonical form drops the dash (" + d.replace("_", "") + ")");
                    }
                }
            }
        });
        assertThat(problems).isEmpty();
    }

    // ---------------------------------------------------------------- per-overlay specifics

    @Test
    void localRunsPostgresWithTheComposeInitScript() throws Exception {
        List<Map<String, Object>> docs = render("local");
        assertThat(ofKind(docs, "StatefulSet").map(ManifestsTest::id)).contains("StatefulSet/postgres");
        Map<String, Object> init = ofKind(docs, "ConfigMap").filter(c -> "postgres-init".equals(str(c, "metadata", "name")))
                .findFirst().orElseThrow();
        assertThat(str(init, "data", "init-databases.sh")).as("k8s/overlays/local/postgres/init-databases.sh is a copy of deploy/postgres/init-databases.sh")
                .isEqualTo(Files.readString(ROOT.resolve("deploy/postgres/init-databases.sh"), StandardCharsets.UTF_8));
    }

    @Test
    void prodHasNoInClusterDatabase() throws Exception {
        List<Map<String, Object>> docs = render("prod");
        assertThat(ofKind(docs, "StatefulSet")).isEmpty();
        assertThat(ofKind(docs, "Secret").map(ManifestsTest::id))
                .contains("Secret/generator-database", "Secret/trainer-database", "Secret/gateway-database");
    }

    @Test
    void gpuPinsTheTrainerToAGpuNode() throws Exception {
        Pod trainer = pods(render("gpu")).stream().filter(p -> p.owner().equals("Deployment/trainer")).findFirst().orElseThrow();
        Map<String, Object> c = trainer.containers().get(0);
        assertThat(str(c, "resources", "limits", "nvidia.com/gpu")).isEqualTo("1");
        assertThat(map(trainer.spec().get("nodeSelector"))).isNotEmpty();
        assertThat(list(trainer.spec().get("tolerations"))).anyMatch(t -> "nvidia.com/gpu".equals(str(t, "key")));
        assertThat(list(trainer.spec().get("volumes"))).anyMatch(v -> at(v, "persistentVolumeClaim") != null
                && "/var/lib/iterpref/trainer".equals(list(c.get("volumeMounts")).stream()
                        .filter(m -> Objects.equals(str(m, "name"), str(v, "name"))).map(m -> str(m, "mountPath"))
                        .findFirst().orElse(null)));
    }

    @Test
    void everyOverlayRenders() throws Exception {
        Collection<String> names = overlays();
        assertThat(names).contains("local", "gpu", "prod");
        for (String o : names) {
            assertThat(render(o)).isNotEmpty();
        }
    }
}
