package org.iterpref.generator.source.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContextOverflowTest {

    private final ChatCompletionsCodec codec = new ChatCompletionsCodec(FakeChatServer.JSON);

    private Optional<ContextOverflow> overflow(String body) {
        return codec.contextOverflow(body);
    }

    @Test
    void readsTheTrainerServicesTwoMessages() {
        assertThat(overflow("{\"error\": {\"message\": \"The prompt has 700 tokens; this model's maximum context length"
                + " is 512 tokens.\", \"type\": \"invalid_request_error\", \"param\": \"messages\", \"code\": null}}"))
                .contains(new ContextOverflow(512, 700));
        assertThat(overflow("{\"error\": {\"message\": \"This model's maximum context length is 512 tokens, however you"
                + " requested 530 tokens (498 in your prompt; 32 for the completion).\", \"param\": \"max_tokens\"}}"))
                .contains(new ContextOverflow(512, 498));
    }

    @Test
    void readsOpenAiVllmAndLlamaCpp() {
        assertThat(overflow("{\"error\": {\"message\": \"This model's maximum context length is 8192 tokens. However,"
                + " your messages resulted in 9000 tokens. Please reduce the length of the messages.\","
                + " \"type\": \"invalid_request_error\", \"code\": \"context_length_exceeded\"}}"))
                .contains(new ContextOverflow(8192, 9000));
        assertThat(overflow("{\"object\": \"error\", \"message\": \"This model's maximum context length is 4096 tokens."
                + " However, you requested 4200 tokens (4100 in the messages, 100 in the completion).\","
                + " \"type\": \"BadRequestError\", \"code\": 400}"))
                .contains(new ContextOverflow(4096, 4100));
        assertThat(overflow("{\"object\": \"error\", \"message\": \"'max_tokens' or 'max_completion_tokens' is too large:"
                + " 100. This model's maximum context length is 4096 tokens and your request has 4050 input tokens"
                + " (100 > 4096 - 4050).\", \"type\": \"BadRequestError\", \"code\": 400}"))
                .contains(new ContextOverflow(4096, 4050));
        assertThat(overflow("{\"error\": {\"code\": 400, \"message\": \"the request exceeds the available context size,"
                + " try increasing it\", \"type\": \"exceed_context_size_error\", \"n_prompt_tokens\": 5000,"
                + " \"n_ctx\": 4096}}"))
                .contains(new ContextOverflow(4096, 5000));
    }

    @Test
    void otherBadRequestsAreNotOverflows() {
        assertThat(overflow("max_tokens is too large")).isEmpty();
        assertThat(overflow("{\"error\": {\"message\": \"The model `nope` does not exist.\"}}")).isEmpty();
        assertThat(overflow("")).isEmpty();
    }
}
