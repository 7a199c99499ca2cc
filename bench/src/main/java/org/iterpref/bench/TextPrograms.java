package org.iterpref.bench;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Random;

/** String manipulation and parsing templates. */
final class TextPrograms {

    private TextPrograms() {
    }

    static Program caesar(int index, Random random) {
        int shift = 1 + random.nextInt(25);
        String f = "shift_letters_" + index;
        String code = """
                def $F(text):
                    \"""Shift every lowercase letter of text $K places forward in the alphabet,
                    wrapping from 'z' back to 'a'. Every other character stays as it is.

                    >>> $F('abc')
                    $EX
                    \"""
                    result = []
                    for ch in text:
                        if 'a' <= ch <= 'z':
                            offset = (ord(ch) - ord('a') + $K) % 26
                            result.append(chr(ord('a') + offset))
                        else:
                            result.append(ch)
                    return ''.join(result)
                """.replace("$F", f).replace("$K", String.valueOf(shift))
                .replace("$EX", Py.str(shift("abc", shift)));
        List<String> tests = new ArrayList<>();
        tests.add(Py.assertEquals(f + "('')", ""));
        for (int t = 1; t < ProgramCorpus.TESTS_PER_PROGRAM; t++) {
            StringBuilder text = new StringBuilder();
            int words = 1 + random.nextInt(6);
            for (int w = 0; w < words; w++) {
                text.append(w > 0 ? " " : "").append(ProgramCorpus.word(random, 1, 9, 26));
                if (random.nextInt(4) == 0) {
                    text.append("!,.?0123".charAt(random.nextInt(8)));
                }
            }
            tests.add(Py.assertEquals(f + "(" + Py.str(text.toString()) + ")", shift(text.toString(), shift)));
        }
        return new Program(index, f, code, tests);
    }

    private static String shift(String text, int k) {
        StringBuilder sb = new StringBuilder();
        for (char ch : text.toCharArray()) {
            sb.append(ch >= 'a' && ch <= 'z' ? (char) ('a' + (ch - 'a' + k) % 26) : ch);
        }
        return sb.toString();
    }

    static Program runLength(int index, Random random) {
        boolean keepOnes = random.nextBoolean();
        String sep = List.of("", "-", ".", "/").get(random.nextInt(4));
        String f = "run_length_" + index;
        String code = """
                def $F(s):
                    \"""Compress s into groups of a character followed by its run length, joined
                    by $SEPDOC. A run of one character $ONES.
                    \"""
                    if not s:
                        return ''
                    parts = []

                    def emit(ch, count):
                        parts.append(ch + (str(count) if count > 1 or $KEEP else ''))

                    current, count = s[0], 1
                    for ch in s[1:]:
                        if ch == current:
                            count += 1
                        else:
                            emit(current, count)
                            current, count = ch, 1
                    emit(current, count)
                    return $SEP.join(parts)
                """.replace("$F", f).replace("$SEPDOC", sep.isEmpty() ? "nothing" : Py.str(sep))
                .replace("$ONES", keepOnes ? "keeps its count 1" : "is written without a count")
                .replace("$KEEP", keepOnes ? "True" : "False").replace("$SEP", Py.str(sep));
        List<String> tests = new ArrayList<>();
        tests.add(Py.assertEquals(f + "('')", ""));
        for (int t = 1; t < ProgramCorpus.TESTS_PER_PROGRAM; t++) {
            StringBuilder s = new StringBuilder();
            int runs = 1 + random.nextInt(8);
            for (int r = 0; r < runs; r++) {
                s.append(String.valueOf((char) ('a' + random.nextInt(4))).repeat(1 + random.nextInt(12)));
            }
            tests.add(Py.assertEquals(f + "(" + Py.str(s.toString()) + ")", rle(s.toString(), keepOnes, sep)));
        }
        return new Program(index, f, code, tests);
    }

    private static String rle(String s, boolean keepOnes, String sep) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            int j = i;
            while (j < s.length() && s.charAt(j) == s.charAt(i)) {
                j++;
            }
            int count = j - i;
            parts.add(s.charAt(i) + (count > 1 || keepOnes ? String.valueOf(count) : ""));
            i = j;
        }
        return String.join(sep, parts);
    }

    static Program parsePairs(int index, Random random) {
        String sep = List.of(";", ",", "|", "&").get(random.nextInt(4));
        int threshold = random.nextInt(41) - 20;
        String f = "parse_pairs_" + index;
        String code = """
                def $F(spec):
                    \"""Parse 'name=value' pairs separated by $SEP and return the (name, value)
                    tuples whose integer value is greater than $T, sorted by value descending and
                    then by name. Malformed pairs (no '=' or a non-integer value) are ignored.
                    \"""
                    pairs = []
                    for chunk in spec.split($SEP):
                        chunk = chunk.strip()
                        if '=' not in chunk:
                            continue
                        name, _, raw = chunk.partition('=')
                        try:
                            value = int(raw)
                        except ValueError:
                            continue
                        if value > $T:
                            pairs.append((name.strip(), value))
                    pairs.sort(key=lambda p: (-p[1], p[0]))
                    return pairs
                """.replace("$F", f).replace("$SEP", Py.str(sep)).replace("$T", String.valueOf(threshold));
        List<String> tests = new ArrayList<>();
        for (int t = 0; t < ProgramCorpus.TESTS_PER_PROGRAM; t++) {
            List<String> chunks = new ArrayList<>();
            List<Py.Tuple> expected = new ArrayList<>();
            int n = t == 0 ? 0 : 1 + random.nextInt(9);
            for (int c = 0; c < n; c++) {
                String name = ProgramCorpus.word(random, 1, 5, 26);
                int value = random.nextInt(101) - 50;
                String pad = random.nextInt(3) == 0 ? " " : "";
                switch (random.nextInt(8)) {
                    case 0 -> chunks.add(pad + name + pad);
                    case 1 -> chunks.add(name + "=x" + value);
                    default -> {
                        chunks.add(pad + name + "=" + value + pad);
                        if (value > threshold) {
                            expected.add(Py.Tuple.of(name, value));
                        }
                    }
                }
            }
            expected.sort(Comparator.comparing((Py.Tuple p) -> -(Integer) p.items().get(1))
                    .thenComparing(p -> (String) p.items().get(0)));
            String spec = String.join(sep, chunks);
            tests.add(Py.assertEquals(f + "(" + Py.str(spec) + ")", expected));
        }
        return new Program(index, f, code, tests);
    }

    static Program balanced(int index, Random random) {
        String all = "()[]{}<>";
        List<String> kinds = new ArrayList<>(List.of("()", "[]", "{}", "<>"));
        java.util.Collections.shuffle(kinds, random);
        List<String> used = kinds.subList(0, 2 + random.nextInt(3));
        StringBuilder mapping = new StringBuilder();
        for (String k : used) {
            mapping.append(mapping.length() > 0 ? ", " : "").append(Py.str(k.substring(1))).append(": ")
                    .append(Py.str(k.substring(0, 1)));
        }
        String f = "balanced_" + index;
        String code = """
                def $F(text):
                    \"""Return True when every bracket of the kinds $KINDS in text is closed,
                    in the right order. Any other character (other brackets too) is ignored.
                    \"""
                    closing = {$MAP}
                    openers = set(closing.values())
                    stack = []
                    for ch in text:
                        if ch in openers:
                            stack.append(ch)
                        elif ch in closing:
                            if not stack or stack[-1] != closing[ch]:
                                return False
                            stack.pop()
                    return not stack
                """.replace("$F", f).replace("$KINDS", String.join(" ", used)).replace("$MAP", mapping);
        List<String> tests = new ArrayList<>();
        for (int t = 0; t < ProgramCorpus.TESTS_PER_PROGRAM; t++) {
            StringBuilder s = new StringBuilder();
            nest(s, random, used, 0);
            if (t % 2 == 1 && s.length() > 0) {
                int at = random.nextInt(s.length());
                s.setCharAt(at, all.charAt(random.nextInt(all.length())));
            }
            String text = s.toString();
            tests.add(Py.assertEquals(f + "(" + Py.str(text) + ")", isBalanced(text, used)));
        }
        return new Program(index, f, code, tests);
    }

    private static void nest(StringBuilder s, Random random, List<String> used, int depth) {
        int items = depth == 0 ? 2 + random.nextInt(4) : random.nextInt(3);
        for (int i = 0; i < items && depth < 4; i++) {
            if (random.nextInt(4) == 0) {
                s.append("xy+<>1".charAt(random.nextInt(6)));
                continue;
            }
            String k = used.get(random.nextInt(used.size()));
            s.append(k.charAt(0));
            nest(s, random, used, depth + 1);
            s.append(k.charAt(1));
        }
    }

    private static boolean isBalanced(String text, List<String> used) {
        Deque<Character> stack = new ArrayDeque<>();
        for (char ch : text.toCharArray()) {
            for (String k : used) {
                if (ch == k.charAt(0)) {
                    stack.push(ch);
                } else if (ch == k.charAt(1)) {
                    if (stack.isEmpty() || stack.peek() != k.charAt(0)) {
                        return false;
                    }
                    stack.pop();
                }
            }
        }
        return stack.isEmpty();
    }
}
