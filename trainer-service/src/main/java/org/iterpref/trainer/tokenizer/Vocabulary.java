package org.iterpref.trainer.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;

/**
 * The token-to-id map of a {@code tokenizer.json}: the model's {@code vocab} (an object of token
 * → id for BPE, WordPiece and WordLevel; an array of {@code [piece, score]} whose index is the id
 * for Unigram) merged with {@code added_tokens}. DJL's binding exposes neither, so the file is
 * read here, with a streaming parser that skips the merges and everything else.
 *
 * <p>Immutable and thread-safe.
 */
final class Vocabulary {

    private final Map<String, Long> ids;
    private final List<AddedToken> addedTokens;
    private final long maxId;

    private Vocabulary(Map<String, Long> ids, List<AddedToken> addedTokens) {
        this.ids = ids;
        this.addedTokens = List.copyOf(addedTokens);
        this.maxId = ids.values().stream().mapToLong(Long::longValue).max().orElse(-1);
    }

    /**
     * Reads the vocabulary of {@code tokenizerJson}.
     *
     * @throws TokenizerException naming the file when it is not JSON or has no model vocabulary
     */
    static Vocabulary read(Path tokenizerJson) {
        Map<String, Long> vocab = null;
        List<AddedToken> added = List.of();
        try (JsonParser parser = JsonFiles.MAPPER.createParser(tokenizerJson)) {
            expect(parser.nextToken() == JsonToken.START_OBJECT, tokenizerJson, "the top level is not a JSON object");
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                if ("added_tokens".equals(name)) {
                    added = readAddedTokens(parser.readValueAsTree(), tokenizerJson);
                } else if ("model".equals(name) && parser.currentToken() == JsonToken.START_OBJECT) {
                    vocab = readModel(parser, tokenizerJson);
                } else {
                    parser.skipChildren();
                }
            }
        } catch (JacksonException e) {
            throw new TokenizerException(tokenizerJson, "malformed JSON: " + e.getOriginalMessage(), e);
        }
        expect(vocab != null, tokenizerJson, "no \"model\" object with a \"vocab\"");
        for (AddedToken token : added) {
            vocab.put(token.content(), token.id());
        }
        return new Vocabulary(vocab, added);
    }

    /** Number of distinct tokens, added tokens included ({@code get_vocab_size(true)} of HF tokenizers). */
    int size() {
        return ids.size();
    }

    /** The largest id, -1 for an empty vocabulary. */
    long maxId() {
        return maxId;
    }

    /** The id of {@code token}, exactly as spelled in the vocabulary. */
    OptionalLong id(String token) {
        Long id = ids.get(token);
        return id == null ? OptionalLong.empty() : OptionalLong.of(id);
    }

    /** The {@code added_tokens} of the file, in file order. */
    List<AddedToken> addedTokens() {
        return addedTokens;
    }

    private static Map<String, Long> readModel(JsonParser parser, Path file) {
        Map<String, Long> vocab = null;
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("vocab".equals(name) && value == JsonToken.START_OBJECT) {
                vocab = readObjectVocab(parser, file);
            } else if ("vocab".equals(name) && value == JsonToken.START_ARRAY) {
                vocab = readArrayVocab(parser, file);
            } else {
                parser.skipChildren();
            }
        }
        return vocab;
    }

    private static Map<String, Long> readObjectVocab(JsonParser parser, Path file) {
        Map<String, Long> vocab = new HashMap<>();
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String token = parser.currentName();
            expect(parser.nextToken() == JsonToken.VALUE_NUMBER_INT, file, "vocab entry \"" + token + "\" is not an id");
            long id = parser.getLongValue();
            expect(id >= 0, file, "vocab entry \"" + token + "\" has a negative id");
            vocab.put(token, id);
        }
        return vocab;
    }

    private static Map<String, Long> readArrayVocab(JsonParser parser, Path file) {
        Map<String, Long> vocab = new HashMap<>();
        long id = 0;
        while (parser.nextToken() == JsonToken.START_ARRAY) {
            expect(parser.nextToken() == JsonToken.VALUE_STRING, file, "Unigram vocab entry " + id + " has no piece");
            vocab.putIfAbsent(parser.getString(), id++);
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                parser.skipChildren();
            }
        }
        expect(parser.currentToken() == JsonToken.END_ARRAY, file, "Unigram vocab entry " + id + " is not an array");
        return vocab;
    }

    private static List<AddedToken> readAddedTokens(JsonNode array, Path file) {
        expect(array.isArray(), file, "\"added_tokens\" is not an array");
        List<AddedToken> tokens = new ArrayList<>();
        for (JsonNode node : array) {
            JsonNode content = node.path("content");
            expect(content.isString(), file, "an added token has no \"content\" string: " + node);
            long id = JsonFiles.tokenId(node.path("id"), "added_tokens[].id", file);
            tokens.add(new AddedToken(id, content.stringValue(), node.path("special").asBoolean(false)));
        }
        return tokens;
    }

    private static void expect(boolean condition, Path file, String problem) {
        if (!condition) {
            throw new TokenizerException(file, "malformed tokenizer: " + problem);
        }
    }
}
