package org.iterpref.reliability;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * What a generation run left, read through the gateway: each trajectory (by task and sample) with
 * its ending and its iterations in order, and the run's pairs. Ids, times and durations are left
 * out, so two runs of the same tasks, source and seed compare equal when they did the same work.
 */
record RunContent(Map<String, TrajectoryContent> trajectories, Set<String> pairs) {

    record TrajectoryContent(String status, String finalCode, int iterationCount, List<IterationContent> iterations) {

        /** Iterations numbered 0..n-1, each once, and n is what the trajectory records. */
        boolean numberedWithoutGapOrRepeat() {
            for (int i = 0; i < iterations.size(); i++) {
                if (iterations.get(i).number() != i) {
                    return false;
                }
            }
            return iterationCount == iterations.size();
        }
    }

    record IterationContent(int number, String code, String verdict, int passed, int total, String feedback) {
    }

    static RunContent read(int gatewayPort, String key, String runId) throws IOException {
        Map<String, TrajectoryContent> trajectories = new TreeMap<>();
        for (int page = 0; ; page++) {
            JsonNode list = PlatformApi.json(PlatformApi.call(gatewayPort, "GET",
                    "/api/trajectories?run=" + runId + "&size=100&page=" + page, key, null), 200).get("trajectories");
            for (JsonNode summary : list) {
                JsonNode t = PlatformApi.json(PlatformApi.call(gatewayPort, "GET",
                        "/api/trajectories/" + summary.get("id").asString(), key, null), 200);
                List<IterationContent> iterations = new ArrayList<>();
                for (JsonNode i : t.get("iterations")) {
                    iterations.add(new IterationContent(i.get("number").asInt(), i.path("code").asString(""),
                            i.path("verdict").asString(""), i.path("passed").asInt(), i.path("total").asInt(),
                            i.path("feedback").asString("")));
                }
                String name = t.get("taskId").asString() + "#" + t.get("sample").asInt();
                if (trajectories.put(name, new TrajectoryContent(t.get("status").asString(),
                        t.path("finalCode").asString(""), t.get("iterationCount").asInt(), iterations)) != null) {
                    throw new AssertionError("two trajectories of " + name + " in run " + runId);
                }
            }
            if (list.size() < 100) {
                break;
            }
        }
        Set<String> pairs = new TreeSet<>();
        long after = 0;
        while (true) {
            JsonNode page = PlatformApi.json(PlatformApi.call(gatewayPort, "GET",
                    "/api/pairs?run=" + runId + "&limit=1000&after=" + after, key, null), 200);
            for (JsonNode p : page.get("pairs")) {
                String content = String.join("\u0001", p.get("taskId").asString(), p.path("chosenIteration").toString(),
                        p.path("rejectedIteration").toString(), p.get("prompt").asString(), p.get("chosen").asString(),
                        p.get("rejected").asString(), p.get("errorSpans").toString());
                if (!pairs.add(content)) {
                    throw new AssertionError("a pair twice in the feed of run " + runId);
                }
            }
            if (page.get("pairs").isEmpty()) {
                return new RunContent(trajectories, pairs);
            }
            after = page.get("next").asLong();
        }
    }

    int iterationTotal() {
        return trajectories.values().stream().mapToInt(t -> t.iterations().size()).sum();
    }
}
