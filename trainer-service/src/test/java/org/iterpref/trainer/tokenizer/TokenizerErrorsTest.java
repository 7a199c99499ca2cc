package org.iterpref.trainer.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Missing, malformed and inconsistent files fail with a {@link TokenizerException} naming the file. */
class TokenizerErrorsTest {

    @TempDir
    Path dir;

    @Test
    void missingDirectory() {
        Path missing = dir.resolve("no-such-model");
        assertThatThrownBy(() -> TextTokenizer.open(missing))
                .isInstanceOfSatisfying(TokenizerException.class, e -> assertThat(e.file()).hasValue(missing))
                .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
    }

    @Test
    void directoryWithoutTokenizerJson() {
        Path expected = dir.resolve("tokenizer.json");
        assertThatThrownBy(() -> TextTokenizer.open(dir))
                .isInstanceOfSatisfying(TokenizerException.class, e -> assertThat(e.file()).hasValue(expected))
                .hasMessageContaining(expected.toString()).hasMessageContaining("missing");
    }

    @Test
    void malformedTokenizerJson() throws IOException {
        Path file = Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\", \"model\": {\"vocab\": ");
        assertThrowsNaming(dir, file, "malformed JSON");
    }

    @Test
    void emptyTokenizerJson() throws IOException {
        Path file = Files.writeString(dir.resolve("tokenizer.json"), "");
        assertThrowsNaming(dir, file, "malformed");
    }

    @Test
    void tokenizerJsonWithoutModel() throws IOException {
        Path file = Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\", \"added_tokens\": []}");
        assertThrowsNaming(dir, file, "no \"model\"");
    }

    @Test
    void tokenizerJsonTheNativeLibraryRejects() throws IOException {
        Path file = Files.writeString(dir.resolve("tokenizer.json"),
                "{\"version\": \"1.0\", \"model\": {\"type\": \"NoSuchModel\", \"vocab\": {\"a\": 0}}}");
        assertThrowsNaming(dir, file, "rejected by Hugging Face tokenizers");
    }

    @Test
    void malformedTokenizerConfig() throws IOException {
        copyTinyTokenizer();
        Path config = Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": ");
        assertThrowsNaming(dir, config, "malformed JSON");
    }

    @Test
    void tokenizerConfigNamingAnUnknownToken() throws IOException {
        copyTinyTokenizer();
        Path config = Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
        assertThrowsNaming(dir, config, "eos_token \"</s>\" is not in the vocabulary");
    }

    @Test
    void tokenizerConfigDisagreeingWithTokenizerJson() throws IOException {
        copyTinyTokenizer();
        Path config = Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"added_tokens_decoder\": {\"2047\": {\"content\": \"<|im_start|>\", \"special\": true}}}");
        assertThrowsNaming(dir, config, "says 2046");
    }

    @Test
    void malformedGenerationConfig() throws IOException {
        copyTinyTokenizer();
        Path generation = Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": \"two\"}");
        assertThrowsNaming(dir, generation, "eos_token_id");
    }

    @Test
    void tokenizerConfigThatIsNotAnObject() throws IOException {
        copyTinyTokenizer();
        Path config = Files.writeString(dir.resolve("tokenizer_config.json"), "[1, 2]");
        assertThrowsNaming(dir, config, "not a JSON object");
    }

    private void copyTinyTokenizer() throws IOException {
        Files.copy(Fixtures.dir("tokenizer").resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
    }

    private static void assertThrowsNaming(Path open, Path file, String problem) {
        assertThatThrownBy(() -> TextTokenizer.open(open).close())
                .isInstanceOfSatisfying(TokenizerException.class, e -> assertThat(e.file()).hasValue(file))
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining(problem);
    }
}
