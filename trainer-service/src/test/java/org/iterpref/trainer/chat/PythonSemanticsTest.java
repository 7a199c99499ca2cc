package org.iterpref.trainer.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Python pieces of the engine against values Python 3.11 gives. */
class PythonSemanticsTest {

    @Test
    void stripAndSplitFollowPython() {
        assertThat(PythonStrings.strip("\u00a0\t x \u2003\n", null, true, true)).isEqualTo("x");
        assertThat(PythonStrings.strip("xxhixx", "x", true, false)).isEqualTo("hixx");
        assertThat(PythonStrings.split("a b  c  ", null, 1)).containsExactly("a", "b  c  ");
        assertThat(PythonStrings.split("  ", null, -1)).isEmpty();
        assertThat(PythonStrings.split("a,b,,c", ",", -1)).containsExactly("a", "b", "", "c");
        assertThat(PythonStrings.split("", ",", -1)).containsExactly("");
        assertThat(PythonStrings.rsplit("a,b,,c", ",", 2)).containsExactly("a,b", "", "c");
        assertThat(PythonStrings.rsplit("  a b  c", null, 1)).containsExactly("  a b", "c");
        assertThat(PythonStrings.splitlines("a\r\nb\rc\n\nd", false)).containsExactly("a", "b", "c", "", "d");
        assertThatThrownBy(() -> PythonStrings.split("a", "", -1)).hasMessage("empty separator");
    }

    @Test
    void caseAndSearchFollowPython() {
        assertThat(PythonStrings.title("hello wORLD 3rd o'neil")).isEqualTo("Hello World 3Rd O'Neil");
        assertThat(PythonStrings.capitalize("hELLO World")).isEqualTo("Hello world");
        assertThat(PythonStrings.replace("abc", "", "-", 2)).isEqualTo("-a-bc");
        assertThat(PythonStrings.replace("a.b.c", ".", "", 1)).isEqualTo("ab.c");
        assertThat(PythonStrings.find("🙂ab", "b", false)).isEqualTo(2);
        assertThat(PythonStrings.count("banana", "an")).isEqualTo(2);
        assertThat(PythonStrings.count("ab", "")).isEqualTo(3);
    }

    @Test
    void slicesFollowPython() {
        // list(range(5))[s:e:st] in Python
        assertThat(PythonSlice.positions(5, null, null, -1)).containsExactly(4, 3, 2, 1, 0);
        assertThat(PythonSlice.positions(5, null, null, 2)).containsExactly(0, 2, 4);
        assertThat(PythonSlice.positions(5, -2, null, 1)).containsExactly(3, 4);
        assertThat(PythonSlice.positions(5, 1, -1, 1)).containsExactly(1, 2, 3);
        assertThat(PythonSlice.positions(5, -7, 9, 2)).containsExactly(0, 2, 4);
        assertThat(PythonSlice.positions(5, 9, -7, -2)).containsExactly(4, 2, 0);
        assertThat(PythonSlice.positions(5, 3, 0, -1)).containsExactly(3, 2, 1);
        assertThat(PythonSlice.positions(5, 0, 3, -1)).isEmpty();
        assertThat(PythonSlice.positions(0, null, null, -1)).isEmpty();
    }

    @Test
    void jsonDumpsFollowsPython() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("b", List.of(1L, 2.5, "é\u0001\"\\"));
        value.put("a", null);
        assertThat(PythonJson.DEFAULT.dumps(value)).isEqualTo("{\"b\": [1, 2.5, \"é\\u0001\\\"\\\\\"], \"a\": null}");
        assertThat(new PythonJson(true, Optional.of("  "), ",", ": ", true).dumps(value))
                .isEqualTo("{\n  \"a\": null,\n  \"b\": [\n    1,\n    2.5,\n    \"\\u00e9\\u0001\\\"\\\\\"\n  ]\n}");
        assertThat(PythonJson.floatRepr(1e16)).isEqualTo("1e+16");
        assertThat(PythonJson.floatRepr(1e15)).isEqualTo("1000000000000000.0");
        assertThat(PythonJson.floatRepr(1.5e-7)).isEqualTo("1.5e-07");
        assertThat(PythonJson.floatRepr(0.0001)).isEqualTo("0.0001");
        assertThat(PythonJson.floatRepr(0.1 + 0.2)).isEqualTo("0.30000000000000004");
        assertThat(PythonJson.floatRepr(-2.0)).isEqualTo("-2.0");
        assertThatThrownBy(() -> PythonJson.DEFAULT.dumps(new Object())).hasMessageContaining("not JSON serializable");
    }

    @Test
    void valuesPrintLikePythonStr() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("k", List.of(true, "it's", "a\"b'c\n"));
        map.put("n", null);
        assertThat(PythonValues.str(map)).isEqualTo("{'k': [True, \"it's\", 'a\"b\\'c\\n'], 'n': None}");
        assertThat(PythonValues.str(null)).isEmpty();
        assertThat(PythonValues.str(false)).isEqualTo("False");
        assertThat(PythonValues.str(3.0)).isEqualTo("3.0");
        assertThat(PythonValues.repr("\u0007é\u200b")).isEqualTo("'\\x07é\\u200b'");
    }

    @Test
    void whitespaceRewriteNormalisesNewlinesAndDropsOneTrailingNewline() {
        assertThat(Jinja2Whitespace.normalizeNewlines("a\r\nb\rc\n\n")).isEqualTo("a\nb\nc\n");
        assertThat(Jinja2Whitespace.normalizeNewlines("a")).isEqualTo("a");
    }

    @Test
    void loopFiltersAreFoundOutsideStringsAndBrackets() {
        assertThat(FilteringForTag.filterStart("m in messages if m.role")).isEqualTo(13);
        assertThat(FilteringForTag.filterStart("m in f(' if ', x if y else z)")).isEqualTo(-1);
        assertThat(FilteringForTag.filterStart("m in messages")).isEqualTo(-1);
    }
}
