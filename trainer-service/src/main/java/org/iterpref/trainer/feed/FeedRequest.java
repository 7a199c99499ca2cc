package org.iterpref.trainer.feed;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.iterpref.trainer.serving.OpenAiException;
import tools.jackson.databind.JsonNode;

/**
 * A job's {@code pairs} (this server's extension of the job request): read the training pairs
 * from the generator's pair feed instead of an uploaded file.
 *
 * @param feed the feed URL ({@code http://host:8082/v1/pairs}), already checked against the allow-list;
 *     the operator's default feed when the request names none
 * @param run only pairs of this generation run (null: any)
 * @param set only pairs of this task set (null: any)
 * @param includeSynthetic also take pairs labelled synthetic (bug injection); default false
 * @param limit most pairs taken
 * @param validationSplit share of the pairs held out (seeded) as the validation set, in [0, 0.5]
 */
public record FeedRequest(URI feed, UUID run, String set, boolean includeSynthetic, int limit,
                          double validationSplit) {

    private static final Set<String> FIELDS = Set.of("feed", "run", "set", "include_synthetic", "limit",
            "validation_split");
    private static final Pattern SET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    static final double MAX_VALIDATION_SPLIT = 0.5;

    /** Parses and checks {@code pairs}; errors name the field as {@code pairs.<field>}. */
    public static FeedRequest parse(JsonNode node, FeedAllowList allowList, int maxPairs) {
        if (node == null || !node.isObject()) {
            throw OpenAiException.invalid("pairs", "'pairs' must be an object: {\"feed\": URL, \"run\", \"set\", "
                    + "\"include_synthetic\", \"limit\", \"validation_split\"}.");
        }
        for (String name : node.propertyNames()) {
            if (!FIELDS.contains(name)) {
                throw OpenAiException.invalid("pairs." + shorten(name), "Unrecognized field in pairs: " + shorten(name));
            }
        }
        URI feed = feed(node.get("feed"), allowList);
        UUID run = null;
        JsonNode runNode = node.get("run");
        if (runNode != null && !runNode.isNull()) {
            try {
                run = UUID.fromString(runNode.isString() ? runNode.asString() : "");
            } catch (IllegalArgumentException e) {
                throw OpenAiException.invalid("pairs.run", "'pairs.run' must be a generation run id (a UUID).");
            }
        }
        String set = null;
        JsonNode setNode = node.get("set");
        if (setNode != null && !setNode.isNull()) {
            if (!setNode.isString() || !SET.matcher(setNode.asString()).matches()) {
                throw OpenAiException.invalid("pairs.set", "'pairs.set' must be a task set name (1-100 letters, "
                        + "digits, '.', '_' or '-').");
            }
            set = setNode.asString();
        }
        boolean synthetic = false;
        JsonNode syntheticNode = node.get("include_synthetic");
        if (syntheticNode != null && !syntheticNode.isNull()) {
            if (!syntheticNode.isBoolean()) {
                throw OpenAiException.invalid("pairs.include_synthetic", "'pairs.include_synthetic' must be a boolean.");
            }
            synthetic = syntheticNode.booleanValue();
        }
        int limit = maxPairs;
        JsonNode limitNode = node.get("limit");
        if (limitNode != null && !limitNode.isNull()) {
            if (!limitNode.isIntegralNumber() || !limitNode.canConvertToInt() || limitNode.intValue() < 1
                    || limitNode.intValue() > maxPairs) {
                throw OpenAiException.invalid("pairs.limit", "'pairs.limit' must be an integer from 1 to " + maxPairs
                        + ".");
            }
            limit = limitNode.intValue();
        }
        double split = 0;
        JsonNode splitNode = node.get("validation_split");
        if (splitNode != null && !splitNode.isNull()) {
            if (!splitNode.isNumber() || !(splitNode.doubleValue() >= 0)
                    || splitNode.doubleValue() > MAX_VALIDATION_SPLIT) {
                throw OpenAiException.invalid("pairs.validation_split", "'pairs.validation_split' must be a number "
                        + "from 0 to " + MAX_VALIDATION_SPLIT + ".");
            }
            split = splitNode.doubleValue();
        }
        return new FeedRequest(feed, run, set, synthetic, limit, split);
    }

    /** The named feed if allowed, else the operator's default when none is named. */
    private static URI feed(JsonNode feedNode, FeedAllowList allowList) {
        if (feedNode == null || feedNode.isNull()) {
            return allowList.defaultFeed().orElseThrow(() -> OpenAiException.invalid("pairs.feed", "'pairs.feed' is "
                    + "required: the generator's pair feed URL (this trainer has no default feed, "
                    + "iterpref.trainer.pair-feeds.default-url)."));
        }
        if (!feedNode.isString()) {
            throw OpenAiException.invalid("pairs.feed", "'pairs.feed' must be a URL string: the generator's pair feed.");
        }
        URI feed = allowList.check(feedNode.asString());
        if (feed == null) {
            throw OpenAiException.invalid("pairs.feed", "'pairs.feed' is not an allowed pair feed: " + shorten(
                    feedNode.asString()) + " (the operator allows iterpref.trainer.pair-feeds.allowed-urls only).");
        }
        return feed;
    }

    /** The stored and shown form. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("feed", feed.toString());
        map.put("run", run == null ? null : run.toString());
        map.put("set", set);
        map.put("include_synthetic", includeSynthetic);
        map.put("limit", limit);
        map.put("validation_split", validationSplit);
        return map;
    }

    /** Back from the stored form (already checked when the job was created). */
    public static FeedRequest fromStored(JsonNode node) {
        return new FeedRequest(URI.create(node.get("feed").asString()),
                node.get("run").isNull() ? null : UUID.fromString(node.get("run").asString()),
                node.get("set").isNull() ? null : node.get("set").asString(),
                node.get("include_synthetic").booleanValue(), node.get("limit").intValue(),
                node.get("validation_split").doubleValue());
    }

    private static String shorten(String text) {
        return text.length() > 100 ? text.substring(0, 100) + "…" : text;
    }
}
