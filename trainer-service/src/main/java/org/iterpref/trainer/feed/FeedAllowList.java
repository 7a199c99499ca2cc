package org.iterpref.trainer.feed;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.iterpref.trainer.config.FineTuningProperties;
import org.springframework.stereotype.Component;

/**
 * The operator's allow-list of pair feeds ({@code iterpref.trainer.pair-feeds.allowed-urls}): a
 * caller names a feed URL, and the trainer fetches it only if it lies under one of these
 * prefixes. URLs are compared parsed, not as strings — same scheme, host and effective port, and
 * a path under the prefix's path by whole segments after normalization — so {@code user@host},
 * {@code host.evil.example}, {@code ..} and the like cannot slip past a prefix. It also holds the
 * operator's default feed ({@code iterpref.trainer.pair-feeds.default-url}), checked against the
 * prefixes when the service starts.
 */
@Component
public class FeedAllowList {

    private final List<URI> allowed;
    private final URI defaultFeed;

    public FeedAllowList(FineTuningProperties properties) {
        this.allowed = properties.pairFeeds().allowedUrls().stream().map(FeedAllowList::prefix).toList();
        String configured = properties.pairFeeds().defaultUrl();
        this.defaultFeed = configured.isEmpty() ? null : check(configured);
        if (!configured.isEmpty() && defaultFeed == null) {
            throw new IllegalArgumentException("iterpref.trainer.pair-feeds.default-url is not under "
                    + "iterpref.trainer.pair-feeds.allowed-urls (or not an http(s) URL without user info, query or "
                    + "fragment): " + configured);
        }
    }

    /** The feed a job reads when it names none, normalized and allowed; empty when none is configured. */
    public Optional<URI> defaultFeed() {
        return Optional.ofNullable(defaultFeed);
    }

    /** The feed URL, parsed and normalized, if it is allowed; otherwise null. */
    public URI check(String url) {
        URI uri = parse(url);
        if (uri == null) {
            return null;
        }
        for (URI prefix : allowed) {
            if (matches(prefix, uri)) {
                return uri;
            }
        }
        return null;
    }

    private static boolean matches(URI prefix, URI uri) {
        if (!prefix.getScheme().equals(uri.getScheme()) || !prefix.getHost().equals(uri.getHost())
                || port(prefix) != port(uri)) {
            return false;
        }
        String base = prefix.getPath().isEmpty() ? "/" : prefix.getPath();
        String path = uri.getPath().isEmpty() ? "/" : uri.getPath();
        if (base.endsWith("/")) {
            return path.startsWith(base);
        }
        return path.equals(base) || path.startsWith(base + "/");
    }

    /** A well-formed absolute http(s) URL without user info, query or fragment, normalized; else null. */
    static URI parse(String url) {
        if (url == null || url.length() > 2048) {
            return null;
        }
        try {
            URI uri = new URI(url).normalize();
            String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!"http".equals(scheme) && !"https".equals(scheme)) {
                return null;
            }
            if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
                    || uri.getRawFragment() != null || uri.getPath() == null || uri.getPath().contains("/../")
                    || uri.getPath().startsWith("..") || uri.getPath().endsWith("/..")) {
                return null;
            }
            return new URI(scheme, null, uri.getHost().toLowerCase(Locale.ROOT), uri.getPort(), uri.getPath(), null,
                    null);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static URI prefix(String url) {
        URI uri = parse(url);
        if (uri == null) {
            throw new IllegalArgumentException("iterpref.trainer.pair-feeds.allowed-urls: not an http(s) URL prefix "
                    + "without user info, query or fragment: " + url);
        }
        return uri;
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return uri.getScheme().equals("https") ? 443 : 80;
    }
}
