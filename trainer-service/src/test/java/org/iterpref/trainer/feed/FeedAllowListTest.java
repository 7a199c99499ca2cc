package org.iterpref.trainer.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.iterpref.trainer.config.FineTuningProperties;
import org.junit.jupiter.api.Test;

class FeedAllowListTest {

    private static FeedAllowList allowing(String... prefixes) {
        return withDefault(null, prefixes);
    }

    private static FeedAllowList withDefault(String defaultUrl, String... prefixes) {
        return new FeedAllowList(new FineTuningProperties(null, null, null, null, null,
                new FineTuningProperties.PairFeeds(List.of(prefixes), null, null, null, null, null, null, defaultUrl)));
    }

    @Test
    void urlsUnderAPrefixAreAllowedNormalized() {
        FeedAllowList list = allowing("http://127.0.0.1:8082/", "https://generator.internal/api/");
        assertThat(list.check("http://127.0.0.1:8082/v1/pairs")).hasToString("http://127.0.0.1:8082/v1/pairs");
        assertThat(list.check("HTTP://127.0.0.1:8082/v1/./pairs")).hasToString("http://127.0.0.1:8082/v1/pairs");
        assertThat(list.check("https://GENERATOR.internal/api/v1/pairs")).isNotNull();
        assertThat(list.check("https://generator.internal:443/api/v1/pairs")).isNotNull();
    }

    @Test
    void anythingElseIsRefused() {
        FeedAllowList list = allowing("http://127.0.0.1:8082/", "https://generator.internal/api");
        for (String url : new String[] {"http://127.0.0.1:8083/v1/pairs", "http://127.0.0.1/v1/pairs",
                "http://127.0.0.1:8082@evil.example/v1/pairs", "http://user@127.0.0.1:8082/v1/pairs",
                "http://127.0.0.1:8082.evil.example/", "http://localhost:8082/v1/pairs", "https://127.0.0.1:8082/",
                "https://generator.internal/apix/pairs", "https://generator.internal/api/../admin",
                "http://127.0.0.1:8082/v1/pairs?after=1", "http://127.0.0.1:8082/v1/pairs#x", "ftp://127.0.0.1:8082/",
                "gopher://127.0.0.1:8082/", "//127.0.0.1:8082/v1/pairs", "", "x".repeat(3000)}) {
            assertThat(list.check(url)).as(url).isNull();
        }
        assertThat(list.check(null)).isNull();
    }

    @Test
    void aBadPrefixInTheConfigurationStopsTheStart() {
        assertThatThrownBy(() -> allowing("127.0.0.1:8082")).hasMessageContaining("allowed-urls");
    }

    @Test
    void aDefaultFeedIsOfferedNormalizedOnlyWhenConfigured() {
        assertThat(allowing("http://127.0.0.1:8082/").defaultFeed()).isEmpty();
        assertThat(withDefault("  ", "http://127.0.0.1:8082/").defaultFeed()).isEmpty();
        assertThat(withDefault("HTTP://Generator:8082/v1/./pairs", "http://generator:8082/").defaultFeed())
                .hasValueSatisfying(uri -> assertThat(uri).hasToString("http://generator:8082/v1/pairs"));
    }

    @Test
    void aDefaultFeedOutsideTheAllowListStopsTheStart() {
        assertThatThrownBy(() -> withDefault("http://169.254.169.254/v1/pairs", "http://generator:8082/"))
                .hasMessageContaining("default-url").hasMessageContaining("allowed-urls");
        assertThatThrownBy(() -> withDefault("http://generator:8082/v1/pairs?after=1", "http://generator:8082/"))
                .hasMessageContaining("default-url");
    }
}
