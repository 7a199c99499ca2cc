package org.iterpref.trainer.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class PenaltiesTest {

    @Test
    void lowersSeenTokensByPresenceOnceAndFrequencyPerAppearance() {
        Generation.Penalties penalties = new Generation.Penalties(0.5, 0.25);
        float[] logits = {1f, 2f, 3f};
        float[] adjusted = penalties.apply(logits, Map.of(2L, 2, 0L, 1));
        assertThat(adjusted).containsExactly(0.25f, 2f, 2f);
        assertThat(logits).as("the model's logits are left alone").containsExactly(1f, 2f, 3f);
        assertThat(new Generation.Penalties(0, 0).apply(logits, Map.of(1L, 3))).isSameAs(logits);
    }

    @Test
    void penaltiesOutsideTheOpenAiRangeAreRejectedByName() {
        JsonMapper json = JsonMapper.builder().build();
        assertThatThrownBy(() -> CompletionRequest.parse(json.readTree(
                "{\"model\":\"m\",\"prompt\":\"x\",\"presence_penalty\":2.5}")))
                .isInstanceOf(OpenAiException.class)
                .satisfies(e -> assertThat(((OpenAiException) e).param()).isEqualTo("presence_penalty"));
        assertThatThrownBy(() -> ChatCompletionRequest.parse(json.readTree(
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"frequency_penalty\":-3}")))
                .isInstanceOf(OpenAiException.class)
                .satisfies(e -> assertThat(((OpenAiException) e).param()).isEqualTo("frequency_penalty"));
    }
}
