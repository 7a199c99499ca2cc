package org.iterpref.generator.source.buginjection;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MutationFinderTest {

    private final MutationFinder finder = new MutationFinder();

    /** Every way {@code kind} can change {@code code}, each applied alone. */
    private List<String> mutants(String code, MutationKind kind) {
        return finder.find(code).stream()
                .filter(m -> m.kind() == kind)
                .map(m -> MutationApplier.apply(code, List.of(m)))
                .toList();
    }

    private List<Mutation> ofKind(String code, MutationKind kind) {
        return finder.find(code).stream().filter(m -> m.kind() == kind).toList();
    }

    @Test
    void rangeBoundsMoveByOne() {
        assertThat(mutants("for i in range(1, n):\n    f(i)\n", MutationKind.RANGE_BOUND)).containsExactly(
                "for i in range(1, n + 1):\n    f(i)\n", "for i in range(1, n - 1):\n    f(i)\n");
        assertThat(mutants("for i in range(len(xs) - 1):\n    f(i)\n", MutationKind.RANGE_BOUND))
                .containsExactly("for i in range(len(xs)):\n    f(i)\n");
        assertThat(mutants("for i in range(10, 0, -1):\n    f(i)\n", MutationKind.RANGE_BOUND))
                .containsExactlyInAnyOrder("for i in range(10, 1, -1):\n    f(i)\n", "for i in range(10, -1, -1):\n    f(i)\n");
        assertThat(ofKind("for i in range(*bounds):\n    f(i)\n", MutationKind.RANGE_BOUND)).isEmpty();
        Mutation first = ofKind("for i in range(n):\n    f(i)\n", MutationKind.RANGE_BOUND).get(0);
        assertThat(first.line()).isEqualTo(1);
        assertThat(first.description()).isEqualTo("changed the range bound `n` to `n + 1` on line 1");
    }

    @Test
    void indexesAndSimpleSliceBoundsMoveByOne() {
        assertThat(mutants("y = xs[i]\n", MutationKind.INDEX_OFF_BY_ONE))
                .containsExactly("y = xs[i + 1]\n", "y = xs[i - 1]\n");
        assertThat(mutants("y = xs[0]\n", MutationKind.INDEX_OFF_BY_ONE)).containsExactlyInAnyOrder("y = xs[1]\n", "y = xs[-1]\n");
        assertThat(mutants("y = xs[i - 1]\n", MutationKind.INDEX_OFF_BY_ONE)).containsExactly("y = xs[i]\n");
        assertThat(mutants("y = xs[:k]\n", MutationKind.INDEX_OFF_BY_ONE))
                .containsExactly("y = xs[:k + 1]\n", "y = xs[:k - 1]\n");
        String untouched = String.join("\n",
                "a = [1, 2]",
                "b = d['key']",
                "c: list[int] = xs[::2]",
                "e = grid[i, j]",
                "f = Optional[int]",
                "g = xs[i if i else 0]",
                "");
        assertThat(ofKind(untouched, MutationKind.INDEX_OFF_BY_ONE)).isEmpty();
    }

    @Test
    void comparisonsFlip() {
        assertThat(mutants("ok = a < b\n", MutationKind.FLIPPED_COMPARISON))
                .containsExactly("ok = a <= b\n", "ok = a > b\n");
        assertThat(mutants("ok = a >= b\n", MutationKind.FLIPPED_COMPARISON)).containsExactly("ok = a > b\n");
        assertThat(mutants("ok = a == b\n", MutationKind.FLIPPED_COMPARISON)).containsExactly("ok = a != b\n");
        assertThat(mutants("ok = a != b\n", MutationKind.FLIPPED_COMPARISON)).containsExactly("ok = a == b\n");
        assertThat(ofKind("x = a << 2 >> b\nx <<= 1\ny >>= 2\nz = w\n", MutationKind.FLIPPED_COMPARISON)).isEmpty();
        assertThat(ofKind("ok = a <= b\n", MutationKind.FLIPPED_COMPARISON).get(0).description())
                .isEqualTo("flipped comparison `<=` to `<` on line 1");
    }

    @Test
    void initialValuesGoWrongWithACompatibleValue() {
        assertThat(mutants("total = 0\n", MutationKind.WRONG_INITIAL_VALUE)).containsExactly("total = 1\n");
        assertThat(mutants("count = 1\n", MutationKind.WRONG_INITIAL_VALUE)).containsExactly("count = 0\n");
        assertThat(mutants("best = None\n", MutationKind.WRONG_INITIAL_VALUE)).containsExactly("best = 0\n");
        assertThat(mutants("out = \"\"\n", MutationKind.WRONG_INITIAL_VALUE)).containsExactly("out = \" \"\n");
        assertThat(mutants("seen = []\n", MutationKind.WRONG_INITIAL_VALUE)).containsExactly("seen = [0]\n");
        assertThat(mutants("memo = {}\n", MutationKind.WRONG_INITIAL_VALUE)).containsExactly("memo = {0: 0}\n");
        assertThat(mutants("found = False  # not yet\n", MutationKind.WRONG_INITIAL_VALUE))
                .containsExactly("found = True  # not yet\n");
        assertThat(mutants("    self.low: float = float('inf')\n", MutationKind.WRONG_INITIAL_VALUE))
                .containsExactly("    self.low: float = 0\n");
        assertThat(ofKind("x = y = 0\nf(k=0)\nif a == 0:\n    pass\nn = 2\n", MutationKind.WRONG_INITIAL_VALUE))
                .isEmpty();
    }

    @Test
    void operatorsChangeButUnarySignsPowersAndUnpackingDoNot() {
        assertThat(mutants("s = a + b\n", MutationKind.WRONG_OPERATOR)).containsExactly("s = a - b\n");
        assertThat(mutants("s = a - b\n", MutationKind.WRONG_OPERATOR)).containsExactly("s = a + b\n");
        assertThat(mutants("s = a * b\n", MutationKind.WRONG_OPERATOR)).containsExactly("s = a + b\n");
        assertThat(mutants("s = a // b\n", MutationKind.WRONG_OPERATOR)).containsExactly("s = a / b\n");
        assertThat(mutants("s += a\n", MutationKind.WRONG_OPERATOR)).containsExactly("s -= a\n");
        assertThat(mutants("ok = a and b\n", MutationKind.WRONG_OPERATOR)).containsExactly("ok = a or b\n");
        assertThat(mutants("ok = a or b\n", MutationKind.WRONG_OPERATOR)).containsExactly("ok = a and b\n");
        String untouched = String.join("\n",
                "x = -a",
                "y = b ** 2",
                "f(*args, **kwargs)",
                "z = 1e-5",
                "w = [0] * n",
                "s = 'a' + name",
                "t = f'{a}' + 'b'",
                "u = (-1, +2)",
                "v = a if b else -c",
                "operand = android",
                "");
        assertThat(ofKind(untouched, MutationKind.WRONG_OPERATOR)).isEmpty();
    }

    @Test
    void deletesOnlySimpleStatementsOfBlocksThatKeepAnother() {
        String code = String.join("\n",
                "def f(xs):",
                "    out = []",
                "    for x in xs:",
                "        out.append(x)",
                "    if out:",
                "        print(out)",
                "        out.sort()",
                "    return out",
                "");
        List<Mutation> deletions = ofKind(code, MutationKind.DELETED_LINE);
        assertThat(deletions).extracting(Mutation::line).containsExactly(2, 6, 7);
        assertThat(MutationApplier.apply(code, List.of(deletions.get(1)))).isEqualTo(code.replace("        print(out)\n", ""));
        assertThat(deletions.get(0).description()).isEqualTo("deleted line 2 `out = []`");
        assertThat(ofKind("def g():\n    x = 1\n    y = 2", MutationKind.DELETED_LINE).get(1).start())
                .as("the last line without a line break takes the one before it").isEqualTo(18);
        assertThat(mutants("def g():\n    x = 1\n    y = 2", MutationKind.DELETED_LINE))
                .containsExactly("def g():\n    y = 2", "def g():\n    x = 1");
    }

    @Test
    void swapsTwoSimpleArguments() {
        assertThat(mutants("r = pow(base, exp)\n", MutationKind.SWAPPED_ARGUMENTS)).containsExactly("r = pow(exp, base)\n");
        assertThat(mutants("r = self.dist(a.x, b.x)\n", MutationKind.SWAPPED_ARGUMENTS))
                .containsExactly("r = self.dist(b.x, a.x)\n");
        String untouched = String.join("\n",
                "a = max(x, y)",
                "b = f(x, k=1)",
                "c = g(x, y, z)",
                "d = h(x, x)",
                "e = isinstance(x, int)",
                "k = m('a', b)",
                "");
        assertThat(ofKind(untouched, MutationKind.SWAPPED_ARGUMENTS)).isEmpty();
    }

    @Test
    void returnsGoWrongByWhatTheyLookLike() {
        assertThat(mutants("def f(a, b):\n    return a < b\n", MutationKind.WRONG_RETURN))
                .containsExactly("def f(a, b):\n    return not (a < b)\n");
        assertThat(mutants("def f(s):\n    return s.isdigit()\n", MutationKind.WRONG_RETURN))
                .containsExactly("def f(s):\n    return not s.isdigit()\n");
        assertThat(mutants("def f():\n    return True\n", MutationKind.WRONG_RETURN))
                .containsExactly("def f():\n    return False\n");
        assertThat(mutants("def f(xs):\n    return len(xs)\n", MutationKind.WRONG_RETURN))
                .containsExactly("def f(xs):\n    return len(xs) + 1\n");
        assertThat(mutants("def f(n):\n    return n - 1\n", MutationKind.WRONG_RETURN))
                .containsExactly("def f(n):\n    return n\n");
        assertThat(mutants("def f(xs):\n    return sorted(xs)\n", MutationKind.WRONG_RETURN))
                .containsExactly("def f(xs):\n    return sorted(xs)[:-1]\n");
        assertThat(mutants("def f(xs):\n    out = []\n    return out\n", MutationKind.WRONG_RETURN))
                .containsExactly("def f(xs):\n    out = []\n    return out[:-1]\n");
        assertThat(mutants("def f(xs):\n    return g(xs)\n", MutationKind.WRONG_RETURN))
                .containsExactly("def f(xs):\n    return None\n");
        assertThat(ofKind("def f():\n    return None\n", MutationKind.WRONG_RETURN)).isEmpty();
        assertThat(ofKind("def f():\n    return\n", MutationKind.WRONG_RETURN)).isEmpty();
    }

    @Test
    void neverTouchesStringsCommentsDocstringsOrHeaders() {
        String code = String.join("\n",
                "def f(a, b=1, *args) -> int:",
                "    \"\"\"Return a < b, x[i] + 1, range(n), total = 0.\"\"\"",
                "    # total = 0; a < b; range(n); x[i]; f(a, b)",
                "    s = 'a < b and x[i] + range(3) - max(a, b)'",
                "    t = f\"{a < b} {x[i] + 1} {g(a, b)}\" r'\\' == 1'",
                "    u = '''",
                "    a == b; total = 0; range(n)",
                "    '''",
                "    return s",
                "");
        List<Mutation> found = finder.find(code);
        assertThat(found).extracting(Mutation::kind)
                .containsOnly(MutationKind.DELETED_LINE, MutationKind.WRONG_RETURN);
        assertThat(found).extracting(Mutation::line).containsExactlyInAnyOrder(4, 5, 9);
        assertThat(ofKind("class A(B, C):\n    x: int = 0\n", MutationKind.SWAPPED_ARGUMENTS)).isEmpty();
    }

    @Test
    void candidatesAreSortedDeterministicAndChangeTheirSpanOnly() {
        List<Mutation> found = finder.find(Tasks.SCORE);
        assertThat(finder.find(Tasks.SCORE)).isEqualTo(found);
        for (Mutation mutation : found) {
            String mutant = MutationApplier.apply(Tasks.SCORE, List.of(mutation));
            assertThat(mutant).startsWith(Tasks.SCORE.substring(0, mutation.start()))
                    .endsWith(Tasks.SCORE.substring(mutation.end()))
                    .isNotEqualTo(Tasks.SCORE);
            assertThat(Tasks.SCORE.split("\n")[mutation.line() - 1])
                    .contains(Tasks.SCORE.substring(mutation.start(), mutation.end()).strip());
        }
    }

    @Test
    void everyCandidateAloneStillCompiles(@TempDir Path dir) throws Exception {
        String code = Tasks.SCORE + String.join("\n",
                "",
                "def other(xs, n, s=\"a < b\"):",
                "    best = None  # comment with x[i]",
                "    for i in range(1, n - 1):",
                "        if xs[i - 1] <= xs[i] and not s:",
                "            best = max(best or 0, pow(i, n)) * 3 // 2",
                "            xs[i] += -1",
                "    return best is None",
                "");
        List<Mutation> found = finder.find(code);
        assertThat(found).hasSizeGreaterThan(30);
        assertThat(found).extracting(Mutation::kind).contains(MutationKind.values());
        for (int i = 0; i < found.size(); i++) {
            Files.writeString(dir.resolve("m" + i + ".py"), MutationApplier.apply(code, List.of(found.get(i))));
        }
        assertThat(compileErrors(dir)).isEmpty();
    }

    private static String compileErrors(Path dir) throws IOException, InterruptedException {
        String script = "import sys, pathlib\n"
                + "for p in sorted(pathlib.Path(sys.argv[1]).glob('*.py')):\n"
                + "    try:\n"
                + "        compile(p.read_text(), str(p), 'exec')\n"
                + "    except SyntaxError as e:\n"
                + "        print(p.name, e)\n";
        Path output = dir.resolve("errors.txt");
        Process process = new ProcessBuilder(PythonTestRunner.PYTHON, "-c", script, dir.toString())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return Files.readString(output);
    }
}
