package org.iterpref.generator.source.openai;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The base URLs a caller may give directly (with an inline API key), as operator-set patterns such
 * as {@code https://api.openai.com/v1} or {@code http://127.0.0.1:*}/v1: {@code *} matches any
 * characters but {@code /}, everything else literally; the whole URL (trailing slashes ignored, case
 * of scheme and host ignored) must match. URLs with user info are never allowed. Empty: none.
 */
public final class BaseUrlAllowList {

    private final List<Pattern> patterns;

    public BaseUrlAllowList(List<String> patterns) {
        this.patterns = patterns.stream().map(p -> compile(normalize(p))).toList();
    }

    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    public boolean allows(String baseUrl) {
        if (baseUrl == null || patterns.isEmpty()) {
            return false;
        }
        try {
            URI uri = new URI(baseUrl.strip());
            if (uri.getRawUserInfo() != null || uri.getHost() == null) {
                return false;
            }
        } catch (URISyntaxException e) {
            return false;
        }
        String url = normalize(baseUrl);
        return patterns.stream().anyMatch(p -> p.matcher(url).matches());
    }

    private static String normalize(String url) {
        String value = url.strip();
        while (value.endsWith("/")) {
            value = value.substring(0, value.length() - 1);
        }
        int schemeEnd = value.indexOf("://");
        if (schemeEnd < 0) {
            return value;
        }
        int pathStart = value.indexOf('/', schemeEnd + 3);
        String authority = pathStart < 0 ? value : value.substring(0, pathStart);
        return authority.toLowerCase(java.util.Locale.ROOT) + (pathStart < 0 ? "" : value.substring(pathStart));
    }

    private static Pattern compile(String glob) {
        StringBuilder regex = new StringBuilder();
        for (String part : glob.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append("[^/]*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }
}
