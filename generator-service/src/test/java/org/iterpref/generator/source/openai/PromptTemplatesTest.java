package org.iterpref.generator.source.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptTemplatesTest {

    @TempDir
    Path dir;

    @Test
    void bundledFirstAttemptHasThePromptAndAsksForOnePythonBlock() {
        String rendered = PromptTemplates.bundled().render(TestTasks.context(0, null, null));

        assertThat(rendered).startsWith(TestTasks.PROMPT.stripTrailing())
                .contains("Return only the complete Python code in one ```python fenced block")
                .doesNotContain("{{");
    }

    @Test
    void bundledRefineHasPromptPreviousCodeAndFeedback() {
        String rendered = PromptTemplates.bundled().render(
                TestTasks.context(2, "def add(a, b):\n    return a - b", "test_1 failed: assert add(1, 2) == 3"));

        assertThat(rendered).startsWith(TestTasks.PROMPT.stripTrailing())
                .contains("```python\ndef add(a, b):\n    return a - b\n```")
                .contains("test_1 failed: assert add(1, 2) == 3")
                .contains("Fix the code. Return the complete corrected code in one ```python block")
                .doesNotContain("{{");
    }

    @Test
    void fillReplacesKnownPlaceholdersOnceAndLeavesUnknownOnes() {
        String filled = PromptTemplates.fill("{{prompt}} / {{code}} / {{unknown}} / {{{iteration}}}",
                Map.of("prompt", "P {{code}}", "code", "C", "iteration", "3"));

        assertThat(filled).isEqualTo("P {{code}} / C / {{unknown}} / {3}");
    }

    @Test
    void rendersEveryPlaceholder() {
        PromptTemplates templates = new PromptTemplates("first {{entry_point}} #{{iteration}}",
                "[{{prompt}}][{{entry_point}}][{{code}}][{{feedback}}][{{iteration}}]");

        assertThat(templates.render(TestTasks.context(0, null, null))).isEqualTo("first add #0");
        assertThat(templates.render(TestTasks.context(1, "old()", "boom")))
                .isEqualTo("[" + TestTasks.PROMPT.stripTrailing() + "][add][old()][boom][1]");
    }

    @Test
    void loadsTemplateFilesFromSettingsAndBundledDefaultsForTheRest() throws Exception {
        Path first = Files.writeString(dir.resolve("first.txt"), "Solve: {{prompt}}");
        OpenAiSourceSettings settings = new OpenAiSourceSettings("http://localhost:8000", "m", null, null,
                null, null, null, null, null, first.toString(), null, null);

        PromptTemplates templates = PromptTemplates.load(settings);

        assertThat(templates.firstAttemptTemplate()).isEqualTo("Solve: {{prompt}}");
        assertThat(templates.refineTemplate()).isEqualTo(PromptTemplates.bundled().refineTemplate());
    }

    @Test
    void unreadableTemplateFileNamesTheField() {
        OpenAiSourceSettings settings = new OpenAiSourceSettings("http://localhost:8000", "m", null, null,
                null, null, null, null, null, null, dir.resolve("missing.txt").toString(), null);

        assertThatThrownBy(() -> PromptTemplates.load(settings))
                .isInstanceOfSatisfying(InvalidSourceSettingsException.class, e -> assertThat(e.problems())
                        .extracting(SettingsProblem::field).containsExactly("refinePromptTemplate"));
    }
}
