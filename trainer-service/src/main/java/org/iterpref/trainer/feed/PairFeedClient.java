package org.iterpref.trainer.feed;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.iterpref.common.pair.ErrorRegion;
import org.iterpref.common.pair.ErrorSpans;
import org.iterpref.trainer.config.FineTuningProperties;
import org.iterpref.trainer.dpo.TrainingPair;
import org.iterpref.trainer.storage.PairLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the generator's pair feed, {@code GET <feed>?after=<cursor>&limit=<n>&run=&set=&synthetic=}
 * answering {@code {"pairs": [...], "next": <cursor>}}, from the start until the cursor stops
 * advancing or {@code limit} pairs were taken. Each page has a connect and a response timeout and
 * a size cap; an unreachable feed (or 5xx / 429) is retried with a doubling delay, a bounded
 * number of times. Redirects are not followed: the allow-listed URL is the only one fetched.
 */
@Component
public class PairFeedClient {

    private static final Logger log = LoggerFactory.getLogger(PairFeedClient.class);
    /** The generator answers at most this many pairs per page. */
    static final int MAX_PAGE = 1000;
    static final long MAX_PAGE_BYTES = 64L << 20;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final FineTuningProperties.PairFeeds settings;
    private final JsonMapper json;
    private final HttpClient http;

    public PairFeedClient(FineTuningProperties properties, JsonMapper json) {
        this.settings = properties.pairFeeds();
        this.json = json;
        this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** What a read took: pairs handed to the sink, and pairs skipped as unusable. */
    public record Result(int pairs, int skipped, int pages) {
    }

    /** Longest task id taken from the feed (the generator's are UUIDs); a longer one counts as none. */
    static final int MAX_TASK_ID_CHARS = 200;

    /**
     * Follows the feed, handing each usable pair, with its task id, to {@code sink} in feed order.
     *
     * @param stop polled between pages and retries; true ends the read early with what was taken
     * @throws FeedUnavailableException when a page cannot be had after every retry, or is not a feed page
     */
    public Result fetch(FeedRequest request, Consumer<FeedPair> sink, BooleanSupplier stop) {
        long cursor = 0;
        int taken = 0;
        int skipped = 0;
        int pages = 0;
        while (taken < request.limit() && !stop.getAsBoolean()) {
            int size = Math.min(Math.min(settings.pageSize(), MAX_PAGE), request.limit() - taken);
            JsonNode page = page(uri(request, cursor, size), stop);
            pages++;
            JsonNode pairs = page.get("pairs");
            JsonNode next = page.get("next");
            if (pairs == null || !pairs.isArray() || next == null || !next.isIntegralNumber()) {
                throw new FeedUnavailableException("the pair feed answered something else than {\"pairs\": [...], "
                        + "\"next\": cursor}");
            }
            for (JsonNode node : pairs) {
                if (taken == request.limit()) {
                    break;
                }
                TrainingPair pair = pair(node, request.includeSynthetic());
                if (pair == null) {
                    skipped++;
                } else {
                    sink.accept(new FeedPair(pair, taskId(node)));
                    taken++;
                }
            }
            if (pairs.isEmpty() || next.asLong() <= cursor) {
                break;
            }
            cursor = next.asLong();
        }
        return new Result(taken, skipped, pages);
    }

    private JsonNode page(URI uri, BooleanSupplier stop) {
        Duration delay = settings.backoff();
        for (int attempt = 1; ; attempt++) {
            String problem;
            try {
                HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).timeout(
                        settings.requestTimeout()).header("Accept", "application/json").GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream body = response.body()) {
                    int status = response.statusCode();
                    if (status == 200) {
                        return json.readTree(capped(body));
                    }
                    if (status != 429 && status < 500) {
                        throw new FeedUnavailableException("the pair feed answered HTTP " + status + " for " + uri);
                    }
                    problem = "HTTP " + status;
                }
            } catch (IOException e) {
                problem = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (JacksonException e) {
                throw new FeedUnavailableException("the pair feed answered invalid JSON: " + e.getOriginalMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FeedUnavailableException("interrupted while reading the pair feed");
            }
            if (attempt >= settings.maxAttempts()) {
                throw new FeedUnavailableException("the pair feed " + uri + " is unavailable after " + attempt
                        + " attempts: " + problem);
            }
            log.info("pair feed {} unavailable ({}), try {} of {} in {} ms", uri, problem, attempt + 1,
                    settings.maxAttempts(), delay.toMillis());
            sleep(delay, stop);
            delay = delay.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : delay.multipliedBy(2);
        }
    }

    private static byte[] capped(InputStream body) throws IOException {
        byte[] bytes = body.readNBytes((int) MAX_PAGE_BYTES + 1);
        if (bytes.length > MAX_PAGE_BYTES) {
            throw new FeedUnavailableException("a pair feed page is larger than " + MAX_PAGE_BYTES + " bytes");
        }
        return bytes;
    }

    /** A feed pair as a training pair; null when it is unusable (or synthetic and not asked for). */
    private TrainingPair pair(JsonNode node, boolean includeSynthetic) {
        if (!node.isObject() || !isString(node, "prompt") || !isString(node, "chosen") || !isString(node, "rejected")) {
            return null;
        }
        JsonNode synthetic = node.get("synthetic");
        if (!includeSynthetic && synthetic != null && synthetic.asBoolean(false)) {
            return null;
        }
        String chosen = node.get("chosen").asString();
        String rejected = node.get("rejected").asString();
        try {
            PairLimits.check("chosen", chosen);
            PairLimits.check("rejected", rejected);
            JsonNode spans = node.get("errorSpans");
            Object given = spans == null || spans.isNull() ? null : json.treeToValue(spans, Object.class);
            ErrorRegion region = ErrorSpans.of(ErrorSpans.fromJson(given), rejected, chosen);
            return TrainingPair.ofPrompt(node.get("prompt").asString(), chosen, rejected, region.spans());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The generator's {@code taskId} (its export's {@code task_id}), or null when absent or not a short string. */
    private static String taskId(JsonNode node) {
        for (String field : new String[] {"taskId", "task_id"}) {
            JsonNode id = node.get(field);
            if (id != null && id.isString() && !id.asString().isBlank()
                    && id.asString().length() <= MAX_TASK_ID_CHARS) {
                return id.asString();
            }
        }
        return null;
    }

    private static boolean isString(JsonNode node, String field) {
        return node.has(field) && node.get(field).isString();
    }

    static URI uri(FeedRequest request, long cursor, int limit) {
        StringBuilder query = new StringBuilder("after=").append(cursor).append("&limit=").append(limit);
        if (request.run() != null) {
            query.append("&run=").append(request.run());
        }
        if (request.set() != null) {
            query.append("&set=").append(URLEncoder.encode(request.set(), StandardCharsets.UTF_8));
        }
        if (!request.includeSynthetic()) {
            query.append("&synthetic=false");
        }
        return URI.create(request.feed() + "?" + query);
    }

    private static void sleep(Duration delay, BooleanSupplier stop) {
        long end = System.nanoTime() + delay.toNanos();
        try {
            while (System.nanoTime() < end && !stop.getAsBoolean()) {
                Thread.sleep(Math.max(1, Math.min(100, (end - System.nanoTime()) / 1_000_000)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FeedUnavailableException("interrupted while waiting for the pair feed");
        }
    }
}
