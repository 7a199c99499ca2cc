/**
 * The {@code openai} code source: any OpenAI-compatible {@code /v1/chat/completions} server (vLLM,
 * Ollama, OpenAI, the trainer-service). {@link org.iterpref.generator.source.openai.OpenAiSourceSettings}
 * says where and how; {@link org.iterpref.generator.source.openai.OpenAiCodeSourceFactory} builds
 * the {@link org.iterpref.generator.source.openai.OpenAiCodeSource}; prompts come from
 * {@link org.iterpref.generator.source.openai.PromptTemplates} (trimmed to the model's context by
 * {@link org.iterpref.generator.source.openai.PromptFitter}) and code out of replies through
 * {@link org.iterpref.common.pair.CodeFence#code}.
 *
 * <p>A run asks through {@link org.iterpref.generator.source.openai.OpenAiSourceRequest}, and
 * {@link org.iterpref.generator.source.openai.OpenAiSourceResolver} turns that into settings under
 * the operator's rules: where requests go and with which key (a configured model server, or an
 * allow-listed base URL with an inline key) and which template text is used (inline, or named from
 * {@link org.iterpref.generator.source.openai.PromptTemplateLibrary}). A caller never names an
 * environment variable, a key file or a template path: the service would read the operator's
 * secrets or files and send them to the caller's host.
 */
package org.iterpref.generator.source.openai;
