/**
 * The {@code openai} code source: any OpenAI-compatible {@code /v1/chat/completions} server (vLLM,
 * Ollama, OpenAI, the trainer-service). {@link org.iterpref.generator.source.openai.OpenAiSourceSettings}
 * says where and how; {@link org.iterpref.generator.source.openai.OpenAiCodeSourceFactory} builds
 * the {@link org.iterpref.generator.source.openai.OpenAiCodeSource}; prompts come from
 * {@link org.iterpref.generator.source.openai.PromptTemplates} and code out of replies through
 * {@link org.iterpref.generator.source.openai.CodeExtractor}.
 */
package org.iterpref.generator.source.openai;
