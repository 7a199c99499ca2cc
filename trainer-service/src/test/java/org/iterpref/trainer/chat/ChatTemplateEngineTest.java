package org.iterpref.trainer.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.iterpref.trainer.chat.ChatTemplateException.Kind;
import org.junit.jupiter.api.Test;

/** Errors, sandbox and limits of {@link ChatTemplateEngine} (rendering parity is {@link ChatTemplateParityTest}'s). */
class ChatTemplateEngineTest {

    private static final ChatTemplateEngine ENGINE = new ChatTemplateEngine();
    private static final ChatTemplateInput INPUT = new ChatTemplateInput(
            List.of(ChatTemplateInput.message("system", "Be brief."), ChatTemplateInput.message("user", "Hi")), true,
            Map.of("eos_token", "</s>"));

    private static String render(String template) {
        return ENGINE.compile(template).render(INPUT);
    }

    private static ChatTemplateException failure(Runnable action) {
        try {
            action.run();
        } catch (ChatTemplateException e) {
            return e;
        }
        throw new AssertionError("no ChatTemplateException");
    }

    @Test
    void structuralErrorsFailToCompileWithTheLine() {
        ChatTemplateException e = failure(() -> ENGINE.compile(
                "{% if true %}\nA\n{% endif %}\n{% for m in messages %}"));
        assertThat(e.kind()).isEqualTo(Kind.SYNTAX);
        assertThat(e.getMessage()).contains("endfor");
        assertThat(e.line()).hasValue(4);
        assertThat(failure(() -> ENGINE.compile("{% nosuchtag %}")).getMessage()).contains("Unknown tag");
        assertThat(failure(() -> ENGINE.compile("{% if x %}a{% endfor %}")).kind()).isEqualTo(Kind.SYNTAX);
        assertThat(failure(() -> ENGINE.compile("{{ 'unclosed }}")).kind()).isEqualTo(Kind.SYNTAX);
    }

    @Test
    void expressionErrorsFailToCompileWithTheLineDespiteWhitespaceControl() {
        String template = "{%- if true -%}\n  A\n{%- endif %}\n\n  {%- set x = 1 %}\n{{ 'a' + }}";
        ChatTemplateException e = failure(() -> ENGINE.compile(template));
        assertThat(e.kind()).isEqualTo(Kind.SYNTAX);
        assertThat(e.detail()).startsWith("cannot parse the expression ''a' +'");
        assertThat(e.line()).hasValue(6);
        assertThat(failure(() -> ENGINE.compile("x\n{% for m in (messages %}{% endfor %}")).line()).hasValue(2);
        assertThat(failure(() -> ENGINE.compile("{% set x = (1 %}")).kind()).isEqualTo(Kind.SYNTAX);
    }

    @Test
    void unknownFiltersAndTestsFailToCompileAsInJinja2() {
        assertThat(failure(() -> ENGINE.compile("{{ x | nosuchfilter }}")).detail())
                .isEqualTo("no filter named 'nosuchfilter'");
        assertThat(failure(() -> ENGINE.compile("{% if x is nosuchtest %}{% endif %}")).detail())
                .isEqualTo("no test named 'nosuchtest'");
    }

    @Test
    void raiseExceptionFailsTheRenderWithTheTemplatesMessage() {
        ChatTemplate template = ENGINE.compile("{% for m in messages %}\n{% if m.role == 'user' %}\n"
                + "{{ raise_exception('Only ' ~ m.role ~ '!') }}\n{% endif %}\n{% endfor %}");
        ChatTemplateException e = failure(() -> template.render(INPUT));
        assertThat(e.kind()).isEqualTo(Kind.RAISED);
        assertThat(e.detail()).isEqualTo("Only user!");
        assertThat(e.line()).hasValue(3);
        assertThat(failure(() -> render("{% macro m() %}{{ raise_exception('deep') }}{% endmacro %}{{ m() }}"))
                .detail()).isEqualTo("deep");
    }

    @Test
    void otherRenderFailuresStopTheRender() {
        ChatTemplateException e = failure(() -> render("{{ messages[0].content.split('') }}"));
        assertThat(e.kind()).isEqualTo(Kind.RENDER);
        assertThat(e.getMessage()).contains("empty separator");
        assertThat(failure(() -> render("{{ nosuchfunction() }}")).kind()).isEqualTo(Kind.RENDER);
        assertThat(failure(() -> render("{{ {'a': 1} | tojson(separators='x') }}")).getMessage())
                .contains("separators");
    }

    @Test
    void undefinedNamesRenderEmptyAsInJinja2() {
        assertThat(render("[{{ nothing }}|{{ messages[0].nothing }}|{{ nothing.deeper }}|{{ messages[9] }}]"))
                .isEqualTo("[|||]");
    }

    @Test
    void theSandboxLoadsNothingMutatesNothingAndReflectsNothing() {
        for (String loading : List.of("{% include 'application.yml' %}", "{% import 'x.jinja' as x %}",
                "{% from 'x.jinja' import y %}", "{% extends 'base.jinja' %}")) {
            ChatTemplateException e = failure(() -> ENGINE.compile(loading));
            assertThat(e.kind()).isEqualTo(Kind.SYNTAX);
            assertThat(e.getMessage()).contains("is disabled");
        }
        assertThat(failure(() -> render("{% set l = [1] %}{% do l.append(2) %}{{ l }}")).getMessage())
                .contains("append");
        assertThat(failure(() -> render("{{ messages[0].update({'role': 'x'}) }}")).getMessage()).contains("update");
        assertThat(failure(() -> render("{{ messages.getClass() }}")).getMessage()).contains("getClass");
        assertThat(render("{{ ''.__class__ }}{{ messages[0].class }}")).isEmpty();
    }

    /**
     * CVE-2026-25526 (jinjava before 2.8.3): unpacking an item that is neither an entry nor a list into
     * several loop variables read the bean property named like each variable with
     * {@code getReadMethod().invoke()}, past the restricted-property checks of the EL resolver, so
     * {@code class} reached the item's {@link Class} and from there its class loader. Restricted
     * properties must render empty here, as in {@code {{ messages[0].class }}}, with or without a loop filter.
     */
    @Test
    void aForLoopUnpackingSeveralNamesReflectsNothing() {
        Map<String, String> leaks = new LinkedHashMap<>();
        for (String reflecting : List.of(
                "{% for class, x in messages %}[{{ class }}]{% endfor %}",
                "{% for class, x in ['s'] %}[{{ class }}]{% endfor %}",
                "{% for class, x in messages if true %}[{{ class }}]{% endfor %}",
                "{% for class, x in messages %}{% for classLoader, y in [class] %}[{{ classLoader }}]"
                        + "{% endfor %}{% endfor %}",
                "{% for class, x in ['s'] %}{% for protectionDomain, y in [class] %}[{{ protectionDomain }}]"
                        + "{% endfor %}{% endfor %}")) {
            try {
                String rendered = render(reflecting);
                if (!rendered.replace("[]", "").isEmpty()) {
                    leaks.put(reflecting, rendered);
                }
            } catch (ChatTemplateException e) {
                if (e.getMessage().matches("(?s).*(java|jdk|class |ClassLoader|ProtectionDomain).*")) {
                    leaks.put(reflecting, e.getMessage());
                }
            }
        }
        assertThat(leaks).isEmpty();
    }

    @Test
    void renderedTextIsNeverRenderedAgain() {
        ChatTemplateInput input = new ChatTemplateInput(
                List.of(ChatTemplateInput.message("user", "{{ 7 * 7 }}{% if true %}x{% endif %}")), true, Map.of());
        assertThat(ENGINE.compile("{{ messages[0].content }}").render(input))
                .isEqualTo("{{ 7 * 7 }}{% if true %}x{% endif %}");
    }

    @Test
    void limitsStopHostileTemplates() {
        ChatTemplateEngine small = new ChatTemplateEngine(
                new ChatTemplateLimits(300, 1000, Duration.ofMillis(300), 100, 100, 5, 10));
        ChatTemplateInput input = INPUT;
        assertThat(failure(() -> small.compile("x".repeat(301))).getMessage()).contains("limit of 300");
        assertThat(failure(() -> small.compile("{% for i in range(90) %}{% for j in range(90) %}xxxxx"
                + "{% endfor %}{% endfor %}").render(input)).getMessage()).contains("over limit of 1000");
        assertThat(failure(() -> small.compile("{% for i in range(101) %}{% endfor %}").render(input)).getMessage())
                .contains("range too big");
        assertThat(failure(() -> small.compile("{% for i in range(100) %}{% for j in range(100) %}"
                + "{% for k in range(100) %}{% for l in range(100) %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}")
                .render(input)).getMessage()).contains("longer than 300 ms");
        assertThat(failure(() -> small.compile("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}")
                .render(input)).getMessage()).contains("recursion limit");
        assertThat(failure(() -> small.compile("{% set s = namespace(v='x') %}{% for i in range(20) %}"
                + "{% set s.v = s.v ~ s.v %}{% endfor %}").render(input)).kind()).isEqualTo(Kind.RENDER);
        assertThat(failure(() -> small.compile("{{ " + "(".repeat(11) + "1" + ")".repeat(11) + " }}")).getMessage())
                .contains("nested more than 10");
        assertThat(failure(() -> small.compile("{% if 1 %}".repeat(12) + "{% endif %}".repeat(12))).getMessage())
                .contains("nested more than 10");
    }

    @Test
    void aCompiledTemplateRendersConcurrently() throws Exception {
        ChatTemplate template = ENGINE.compile(ChatTemplateParityTest.resource("qwen3.jinja"));
        String expected = template.render(INPUT);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> renders = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                renders.add(pool.submit(() -> template.render(INPUT)));
            }
            for (Future<String> render : renders) {
                assertThat(render.get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void strftimeNowFormatsTheCurrentDate() {
        assertThat(render("{{ strftime_now('%Y') }}")).matches("\\d{4}");
    }

    @Test
    void limitsMustBePositive() {
        assertThatThrownBy(() -> new ChatTemplateLimits(0, 1, Duration.ofSeconds(1), 1, 1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
