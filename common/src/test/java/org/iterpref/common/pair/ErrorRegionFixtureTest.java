package org.iterpref.common.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The worked pairs of the shared DPO fixture ({@code ../shared/fixtures/dpo/expected.json}). */
class ErrorRegionFixtureTest {

    private final ErrorRegionFinder finder = new ErrorRegionFinder();

    record FixturePair(int index, String chosen, String rejected, List<CharSpan> errorSpans) {
        @Override
        public String toString() {
            return "pair " + index;
        }
    }

    static Stream<FixturePair> pairs() throws IOException {
        try (InputStream in = ErrorRegionFixtureTest.class.getResourceAsStream("/fixtures/dpo-expected.json")) {
            JsonNode pairs = JsonMapper.builder().build().readTree(in).get("pairs");
            List<FixturePair> result = new ArrayList<>();
            for (JsonNode pair : pairs.values()) {
                List<CharSpan> spans = new ArrayList<>();
                for (JsonNode span : pair.get("error_spans").values()) {
                    spans.add(new CharSpan(span.get(0).intValue(), span.get(1).intValue()));
                }
                result.add(new FixturePair(result.size(), pair.get("chosen").stringValue(),
                        pair.get("rejected").stringValue(), spans));
            }
            assertThat(result).hasSize(3);
            return result.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("pairs")
    void shouldReproduceTheFixtureErrorSpansExactly(FixturePair pair) {
        ErrorRegion region = finder.find(pair.rejected(), pair.chosen());

        assertThat(region.spans()).isEqualTo(pair.errorSpans());
        assertThat(region.changedLines()).as("each fixture span is one line").isEqualTo(pair.errorSpans().size());
    }

    @ParameterizedTest
    @MethodSource("pairs")
    void shouldShiftTheFixtureSpansByTheFenceWhenTheCodeIsFenced(FixturePair pair) {
        String opening = "```python\n";
        ErrorRegion region = finder.findInCompletion(opening + pair.rejected() + "```\n",
                "The fix:\n" + opening + pair.chosen() + "```");

        assertThat(region.spans()).isEqualTo(
                pair.errorSpans().stream().map(span -> span.shift(opening.length())).toList());
    }
}
