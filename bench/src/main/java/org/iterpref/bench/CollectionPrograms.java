package org.iterpref.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/** List processing, dict counting, matrix and nested-list (recursive) templates. */
final class CollectionPrograms {

    private static final List<String> VOCABULARY = List.of("alpha", "beta", "gamma", "delta", "tree", "node",
            "graph", "edge", "path", "loop", "code", "test", "bug", "fix", "run");

    private CollectionPrograms() {
    }

    static Program filterTransform(int index, Random random) {
        int d = 2 + random.nextInt(5);
        int r = random.nextInt(d);
        int m = random.nextInt(9) - 4;
        int c = random.nextInt(21) - 10;
        String f = "transform_" + index;
        String code = """
                def $F(numbers):
                    \"""Return x * $M + $C for every x in numbers with x % $D == $R, in order,
                    followed by how many numbers were dropped.

                    >>> $F([])
                    [0]
                    \"""
                    kept = []
                    dropped = 0
                    for x in numbers:
                        if x % $D == $R:
                            kept.append(x * $M + $C)
                        else:
                            dropped += 1
                    kept.append(dropped)
                    return kept
                """.replace("$F", f).replace("$M", "(" + m + ")").replace("$C", "(" + c + ")")
                .replace("$D", String.valueOf(d)).replace("$R", String.valueOf(r));
        List<String> tests = new ArrayList<>();
        for (int t = 0; t < ProgramCorpus.TESTS_PER_PROGRAM; t++) {
            List<Integer> xs = new ArrayList<>();
            int n = random.nextInt(15);
            for (int i = 0; i < n; i++) {
                xs.add(random.nextInt(201) - 100);
            }
            List<Integer> expected = new ArrayList<>();
            for (int x : xs) {
                if (Math.floorMod(x, d) == r) {
                    expected.add(x * m + c);
                }
            }
            expected.add(xs.size() - expected.size());
            tests.add(Py.assertEquals(f + "(" + Py.literal(xs) + ")", expected));
        }
        return new Program(index, f, code, tests);
    }

    static Program topWords(int index, Random random) {
        int n = 1 + random.nextInt(4);
        String f = "top_words_" + index;
        String code = """
                def $F(text):
                    \"""Count the words of text, ignoring case and the punctuation '.,!?' around
                    them, and return the $N most frequent as (word, count) pairs: most frequent
                    first, ties in alphabetical order.
                    \"""
                    counts = {}
                    for raw in text.split():
                        word = raw.strip('.,!?').lower()
                        if not word:
                            continue
                        counts[word] = counts.get(word, 0) + 1
                    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
                    return ranked[:$N]
                """.replace("$F", f).replace("$N", String.valueOf(n));
        List<String> tests = new ArrayList<>();
        List<String> vocabulary = VOCABULARY.subList(0, 4 + random.nextInt(VOCABULARY.size() - 4));
        for (int t = 0; t < ProgramCorpus.TESTS_PER_PROGRAM; t++) {
            StringBuilder text = new StringBuilder();
            Map<String, Integer> counts = new LinkedHashMap<>();
            int words = t == 0 ? 0 : 1 + random.nextInt(25);
            for (int w = 0; w < words; w++) {
                String word = vocabulary.get(random.nextInt(vocabulary.size()));
                counts.merge(word, 1, Integer::sum);
                if (random.nextBoolean()) {
                    word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
                }
                if (random.nextInt(4) == 0) {
                    word += ".,!?".charAt(random.nextInt(4));
                }
                text.append(w > 0 ? (random.nextInt(5) == 0 ? "  " : " ") : "").append(word);
                if (random.nextInt(10) == 0) {
                    text.append(" !");
                }
            }
            List<Py.Tuple> ranked = counts.entrySet().stream()
                    .sorted(Comparator.comparing((Map.Entry<String, Integer> e) -> -e.getValue())
                            .thenComparing(Map.Entry::getKey))
                    .limit(n).map(e -> Py.Tuple.of(e.getKey().toLowerCase(Locale.ROOT), e.getValue())).toList();
            tests.add(Py.assertEquals(f + "(" + Py.str(text.toString()) + ")", ranked));
        }
        return new Program(index, f, code, tests);
    }

    static Program spiral(int index, Random random) {
        int step = 1 + random.nextInt(3);
        String f = "spiral_" + index;
        String code = """
                def $F(matrix):
                    \"""Walk a rectangular matrix clockwise in a spiral from its top-left corner and
                    return every $STEPDOC element met on the way.
                    \"""
                    if not matrix or not matrix[0]:
                        return []
                    result = []
                    top, bottom, left, right = 0, len(matrix) - 1, 0, len(matrix[0]) - 1
                    while top <= bottom and left <= right:
                        for c in range(left, right + 1):
                            result.append(matrix[top][c])
                        top += 1
                        for r in range(top, bottom + 1):
                            result.append(matrix[r][right])
                        right -= 1
                        if top <= bottom:
                            for c in range(right, left - 1, -1):
                                result.append(matrix[bottom][c])
                            bottom -= 1
                        if left <= right:
                            for r in range(bottom, top - 1, -1):
                                result.append(matrix[r][left])
                            left += 1
                    return result[::$STEP]
                """.replace("$F", f).replace("$STEPDOC", step == 1 ? "" : ordinal(step))
                .replace("$STEP", String.valueOf(step)).replace("every  element", "every element");
        List<String> tests = new ArrayList<>();
        for (int t = 0; t < ProgramCorpus.TESTS_PER_PROGRAM; t++) {
            int rows = t == 0 ? 1 : 1 + random.nextInt(6);
            int cols = 1 + random.nextInt(6);
            List<List<Integer>> matrix = new ArrayList<>();
            for (int i = 0; i < rows; i++) {
                List<Integer> row = new ArrayList<>();
                for (int j = 0; j < cols; j++) {
                    row.add(random.nextInt(100));
                }
                matrix.add(row);
            }
            List<Integer> order = spiralOrder(matrix);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < order.size(); i += step) {
                expected.add(order.get(i));
            }
            tests.add(Py.assertEquals(f + "(" + Py.literal(matrix) + ")", expected));
        }
        return new Program(index, f, code, tests);
    }

    private static String ordinal(int n) {
        return n == 2 ? "second" : "third";
    }

    private static List<Integer> spiralOrder(List<List<Integer>> m) {
        List<Integer> out = new ArrayList<>();
        int top = 0;
        int bottom = m.size() - 1;
        int left = 0;
        int right = m.get(0).size() - 1;
        while (top <= bottom && left <= right) {
            for (int c = left; c <= right; c++) {
                out.add(m.get(top).get(c));
            }
            top++;
            for (int r = top; r <= bottom; r++) {
                out.add(m.get(r).get(right));
            }
            right--;
            if (top <= bottom) {
                for (int c = right; c >= left; c--) {
                    out.add(m.get(bottom).get(c));
                }
                bottom--;
            }
            if (left <= right) {
                for (int r = bottom; r >= top; r--) {
                    out.add(m.get(r).get(left));
                }
                left++;
            }
        }
        return out;
    }

    static Program depthSum(int index, Random random) {
        int power = 1 + random.nextInt(2);
        int sign = random.nextBoolean() ? 1 : -1;
        String f = "depth_sum_" + index;
        String code = """
                def $F(items, depth=1):
                    \"""Sum the integers of a nested list, each one multiplied by its depth raised
                    to the power $P (the top level is depth 1)$SIGNDOC.

                    >>> $F([1, [2, [3]]])
                    $EX
                    \"""
                    total = 0
                    for item in items:
                        if isinstance(item, list):
                            total += $F(item, depth + 1)
                        elif isinstance(item, int):
                            total += item * depth ** $P
                    if depth == 1:
                        return $SIGN * total
                    return total
                """.replace("$F", f).replace("$P", String.valueOf(power))
                .replace("$SIGNDOC", sign > 0 ? "" : ", negated").replace("$SIGN", String.valueOf(sign))
                .replace("$EX", String.valueOf(sign * weighted(List.of(1, List.of(2, List.of(3))), 1, power)));
        List<String> tests = new ArrayList<>();
        for (int t = 0; t < ProgramCorpus.TESTS_PER_PROGRAM; t++) {
            List<Object> items = t == 0 ? List.of() : nested(random, 1);
            tests.add(Py.assertEquals(f + "(" + Py.literal(items) + ")", sign * weighted(items, 1, power)));
        }
        return new Program(index, f, code, tests);
    }

    private static List<Object> nested(Random random, int depth) {
        List<Object> items = new ArrayList<>();
        int n = random.nextInt(5) + (depth == 1 ? 1 : 0);
        for (int i = 0; i < n; i++) {
            items.add(depth < 5 && random.nextInt(3) == 0 ? nested(random, depth + 1) : random.nextInt(41) - 20);
        }
        return items;
    }

    private static long weighted(List<?> items, int depth, int power) {
        long total = 0;
        for (Object item : items) {
            if (item instanceof List<?> inner) {
                total += weighted(inner, depth + 1, power);
            } else {
                total += (long) (Integer) item * (long) Math.pow(depth, power);
            }
        }
        return total;
    }
}
