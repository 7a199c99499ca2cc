/**
 * Tokenization for the trainer: Hugging Face {@code tokenizer.json} files run by DJL's binding
 * of the Rust tokenizers library ({@link org.iterpref.trainer.tokenizer.TextTokenizer}), the
 * special tokens of {@code tokenizer_config.json} and {@code generation_config.json} ({@link
 * org.iterpref.trainer.tokenizer.SpecialTokens}) and the chat template source ({@link
 * org.iterpref.trainer.tokenizer.ChatTemplateSource}).
 *
 * <p>Token offsets count Unicode code points, as Hugging Face and Python do ({@link
 * org.iterpref.trainer.tokenizer.CodePointSpan}, {@link
 * org.iterpref.trainer.tokenizer.CodePointIndex}). Everything runs offline; the native library
 * comes from the tokenizers jar.
 */
package org.iterpref.trainer.tokenizer;
