package org.iterpref.generator.source.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PromptSizeEstimatorTest {

    private static final List<ChatMessage> HUNDRED_BYTES = List.of(ChatMessage.user("x".repeat(100)));

    @Test
    void estimatesBytesOverTheRatioWithAMarginAndTheTemplatesTokens() {
        PromptSizeEstimator estimator = new PromptSizeEstimator(2.0);

        // 100 bytes / 2 * 1.1 = 55, plus 8 for the request and 8 for the one message
        assertThat(estimator.estimate(HUNDRED_BYTES)).isEqualTo(71);
    }

    @Test
    void theFirstServerCountReplacesTheGuessAndLaterOnesOnlyRaiseIt() {
        PromptSizeEstimator estimator = new PromptSizeEstimator(2.0);

        estimator.observe(HUNDRED_BYTES, 25);
        assertThat(estimator.tokensPerByte()).isEqualTo(0.25);
        estimator.observe(HUNDRED_BYTES, 20);
        assertThat(estimator.tokensPerByte()).isEqualTo(0.25);
        estimator.observe(HUNDRED_BYTES, 40);
        assertThat(estimator.tokensPerByte()).isEqualTo(0.4);
    }

    @Test
    void emptyCountsAreIgnored() {
        PromptSizeEstimator estimator = new PromptSizeEstimator(2.0);

        estimator.observe(HUNDRED_BYTES, 0);
        estimator.observe(List.of(ChatMessage.user("")), 10);

        assertThat(estimator.tokensPerByte()).isEqualTo(0.5);
    }
}
