package org.iterpref.trainer.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A Hugging Face tokenizer ({@code tokenizer.json}, run by DJL's binding of the Rust {@code
 * tokenizers} library) with the special tokens and chat template of its model directory.
 *
 * <p>Parity: {@link #encode(String)} gives exactly the ids and offsets of Python's {@code
 * tokenizer.encode(text, add_special_tokens=False)}, and {@link #decode(long[], boolean)} the
 * text of {@code tokenizer.decode(ids, skip_special_tokens=...)} — DJL is told not to truncate,
 * not to pad, not to add special tokens and not to clean up spaces, which its defaults would
 * (truncation to 512 tokens among them). Offsets count Unicode code points ({@link
 * CodePointSpan}): DJL's native side encodes with {@code encode_char_offsets}, whose offsets
 * are Rust {@code char}s, i.e. code points of the text, so they pass through unchanged; convert
 * them to Java indices with {@link CodePointSpan#slice} or {@link CodePointIndex}.
 *
 * <p>Offline: opening one makes DJL offline and loads the native library from the tokenizers jar
 * (see {@link NativeTokenizers}); nothing is ever downloaded.
 *
 * <p>Thread-safety: instances may be shared between threads, but calls into the native
 * tokenizer are serialised on a lock. The Rust tokenizer's encode takes {@code &self}, but DJL's
 * JNI layer hands each call a {@code &mut} to the same tokenizer and {@code close()} frees it,
 * so concurrent native calls are not sound; the lock makes them, and {@code close()} during a
 * call, safe. For parallel throughput open one tokenizer per thread. The vocabulary, special
 * tokens and chat template are immutable and need no lock.
 *
 * <p>Holds native memory: {@link #close()} it (try-with-resources).
 */
public final class TextTokenizer implements AutoCloseable {

    /** DJL options for exact parity with Hugging Face: no truncation, padding or added tokens. */
    private static final Map<String, String> DJL_OPTIONS = Map.of(
            "addSpecialTokens", "false",
            "truncation", "false",
            "padding", "false",
            "withOverflowingTokens", "false");

    private static final long MAX_NATIVE_ID = 0xFFFF_FFFFL;

    private final HuggingFaceTokenizer tokenizer;
    private final TokenizerFiles files;
    private final Vocabulary vocabulary;
    private final SpecialTokens specialTokens;
    private final ChatTemplateSource chatTemplate;
    private final Object lock = new Object();
    private boolean closed;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, TokenizerFiles files, Vocabulary vocabulary,
            SpecialTokens specialTokens, ChatTemplateSource chatTemplate) {
        this.tokenizer = tokenizer;
        this.files = files;
        this.vocabulary = vocabulary;
        this.specialTokens = specialTokens;
        this.chatTemplate = chatTemplate;
    }

    /**
     * Opens the tokenizer of a Hugging Face model directory, or of a {@code tokenizer.json}
     * together with the configuration files beside it (see {@link TokenizerFiles#locate}).
     *
     * @throws TokenizerException naming the file when a file is missing, malformed or
     *     inconsistent, or when the native library cannot be loaded
     */
    public static TextTokenizer open(Path directoryOrTokenizerJson) {
        return open(TokenizerFiles.locate(directoryOrTokenizerJson));
    }

    /**
     * Opens a tokenizer from explicit files.
     *
     * @throws TokenizerException naming the file when a file is missing, malformed or
     *     inconsistent, or when the native library cannot be loaded
     */
    public static TextTokenizer open(TokenizerFiles files) {
        Optional<TokenizerConfigFile> config = files.tokenizerConfig().map(TokenizerConfigFile::read);
        Optional<GenerationConfigFile> generation = files.generationConfig().map(GenerationConfigFile::read);
        Vocabulary vocabulary = Vocabulary.read(files.tokenizerJson());
        SpecialTokens specials = SpecialTokensResolver.resolve(vocabulary, config, generation);
        ChatTemplateSource chatTemplate = ChatTemplateSource.of(config, files.chatTemplateFile());
        HuggingFaceTokenizer tokenizer = createNative(files.tokenizerJson());
        return new TextTokenizer(tokenizer, files, vocabulary, specials, chatTemplate);
    }

    /** Encodes {@code text} without adding special tokens (special tokens written in it still count). */
    public Encoding encode(String text) {
        return encode(text, false);
    }

    /**
     * Encodes {@code text}.
     *
     * @param text the text; must be well-formed UTF-16 (no unpaired surrogate)
     * @param addSpecialTokens whether the tokenizer's post-processor adds its special tokens (BOS
     *     and the like; Qwen's adds none); those get the empty span {@code (0, 0)}
     * @throws IllegalArgumentException when {@code text} holds an unpaired surrogate, which has
     *     no code point (Python and Rust strings cannot hold one either)
     * @throws IllegalStateException when the tokenizer is closed
     */
    public Encoding encode(String text, boolean addSpecialTokens) {
        Objects.requireNonNull(text, "text");
        requireWellFormed(text);
        ai.djl.huggingface.tokenizers.Encoding raw;
        synchronized (lock) {
            requireOpen();
            raw = tokenizer.encode(text, addSpecialTokens, false);
        }
        return toEncoding(raw, text);
    }

    /**
     * Decodes {@code ids} as Hugging Face's {@code decode} does: ids the vocabulary lacks are
     * skipped, byte sequences that are not UTF-8 become U+FFFD.
     *
     * @param ids token ids, each in {@code [0, 2^32)}
     * @param skipSpecialTokens whether to leave out special tokens
     * @throws IllegalArgumentException when an id is negative or does not fit in 32 bits (the
     *     native side would silently wrap it onto another token)
     * @throws IllegalStateException when the tokenizer is closed
     */
    public String decode(long[] ids, boolean skipSpecialTokens) {
        for (long id : ids) {
            if (id < 0 || id > MAX_NATIVE_ID) {
                throw new IllegalArgumentException("token id out of range: " + id);
            }
        }
        synchronized (lock) {
            requireOpen();
            return tokenizer.decode(ids.clone(), skipSpecialTokens);
        }
    }

    /** {@link #decode(long[], boolean)} of {@code int} ids. */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] wide = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            wide[i] = ids[i];
        }
        return decode(wide, skipSpecialTokens);
    }

    /**
     * Number of distinct tokens, added tokens included — Hugging Face's {@code len(tokenizer)}.
     * The model's embedding may have more rows (Qwen pads to a multiple of 128).
     */
    public int vocabularySize() {
        return vocabulary.size();
    }

    /** The largest token id the tokenizer can produce. */
    public long maxTokenId() {
        return vocabulary.maxId();
    }

    /**
     * The id of {@code token} as spelled in the vocabulary: an added token such as {@code
     * <|im_end|>}, or a model token in its byte-level form ({@code "Ġthe"} for " the").
     */
    public OptionalLong tokenId(String token) {
        return vocabulary.id(token);
    }

    /** The special tokens (BOS, EOS ids, PAD, every token marked special). */
    public SpecialTokens specialTokens() {
        return specialTokens;
    }

    /** The model's chat template source, possibly empty. */
    public ChatTemplateSource chatTemplate() {
        return chatTemplate;
    }

    /** The files this tokenizer was built from. */
    public TokenizerFiles files() {
        return files;
    }

    /** Frees the native tokenizer; idempotent. Later calls to encode or decode throw. */
    @Override
    public void close() {
        synchronized (lock) {
            if (!closed) {
                closed = true;
                tokenizer.close();
            }
        }
    }

    @Override
    public String toString() {
        return "TextTokenizer[" + files.tokenizerJson() + ", " + vocabulary.size() + " tokens]";
    }

    private static HuggingFaceTokenizer createNative(Path tokenizerJson) {
        NativeTokenizers.ensureLoaded();
        try {
            return HuggingFaceTokenizer.newInstance(tokenizerJson, DJL_OPTIONS);
        } catch (IOException e) {
            throw new TokenizerException(tokenizerJson, "cannot be read: " + e, e);
        } catch (RuntimeException e) {
            throw new TokenizerException(tokenizerJson, "rejected by Hugging Face tokenizers: " + e.getMessage(), e);
        }
    }

    private static Encoding toEncoding(ai.djl.huggingface.tokenizers.Encoding raw, String text) {
        long[] ids = raw.getIds();
        CharSpan[] spans = raw.getCharTokenSpans();
        int limit = text.codePointCount(0, text.length());
        List<CodePointSpan> offsets = new ArrayList<>(spans.length);
        for (CharSpan span : spans) {
            // null: a token the post-processor added, which covers no text (Python reports (0, 0))
            CodePointSpan offset = span == null ? CodePointSpan.EMPTY : new CodePointSpan(span.getStart(), span.getEnd());
            if (offset.end() > limit) {
                throw new IllegalStateException("native tokenizer returned offsets " + offset
                        + " past the " + limit + " code points of the text");
            }
            offsets.add(offset);
        }
        return new Encoding(ids, offsets);
    }

    private static void requireWellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("text holds an unpaired surrogate at UTF-16 index " + i);
            }
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("tokenizer is closed: " + files.tokenizerJson());
        }
    }
}
