package org.iterpref.cli;

import java.time.Duration;
import org.iterpref.cli.http.ApiClient;
import picocli.CommandLine.Option;

/** Where the platform's generator API is, and the key to call it with. */
public final class ApiOptions {

    @Option(names = "--url", defaultValue = "${env:ITERPREF_URL:-http://127.0.0.1:8082/v1}",
            description = "The generator API's root: the service's /v1, or a gateway's /api "
                    + "(env ITERPREF_URL; default: ${DEFAULT-VALUE})")
    String url;

    @Option(names = "--api-key", defaultValue = "${env:ITERPREF_API_KEY}", arity = "1",
            description = "Sent as a bearer token (env ITERPREF_API_KEY)")
    String apiKey;

    @Option(names = "--timeout", defaultValue = "60", paramLabel = "SECONDS",
            description = "Per request (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    public ApiClient client() {
        return client(url);
    }

    /** A client for another API of the platform (the trainer's), with the same key. */
    public ApiClient client(String baseUrl) {
        return new ApiClient(baseUrl, apiKey, Duration.ofSeconds(Math.max(1, timeoutSeconds)));
    }
}
