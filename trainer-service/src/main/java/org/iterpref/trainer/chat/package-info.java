/**
 * Hugging Face chat templates rendered with jinjava, as transformers' {@code
 * apply_chat_template} renders them with Jinja2: {@link org.iterpref.trainer.chat.ChatTemplateEngine}
 * compiles a template once into a thread-safe {@link org.iterpref.trainer.chat.ChatTemplate},
 * which renders a {@link org.iterpref.trainer.chat.ChatTemplateInput} or fails with a {@link
 * org.iterpref.trainer.chat.ChatTemplateException} saying whether the template does not parse,
 * rejected the input ({@code raise_exception}) or failed otherwise.
 *
 * <p>jinjava is not Jinja2. The engine closes the gaps chat templates run into — Jinja2's
 * whitespace rules, string escapes, slices with a step, keyword arguments, loop filters, Python
 * {@code str} methods and indexing, {@code tojson} as {@code json.dumps}, Python's {@code
 * str()} of printed values, code-point {@code length}, fail-fast errors, unknown filters and
 * tests rejected at compile time — and the golden tests check the result byte for byte against
 * Jinja2. Known remaining differences, none used by the chat templates of common models:
 * {@code None} prints as the empty string (jinjava cannot tell it from undefined, so {@code x is
 * defined} is false for {@code None} too); two closing braces inside {@code {{ }}} (a dict literal
 * ending in a nested one) end the expression; {@code %} string formatting, string repetition ({@code '=' * 3}),
 * chained comparisons, {@code loop.previtem}, {@code {% filter %}} blocks and recursive loops are
 * not supported; {@code 1 / 0} is infinity, {@code -7 % 3} is -1 and {@code '1' == 1} is true (Java
 * arithmetic, jinjava's coercion); jinjava's {@code truncate}, {@code sum}, {@code max} differ
 * from Jinja2's.
 */
package org.iterpref.trainer.chat;
