package org.iterpref.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Deterministic corpus of HumanEval-sized Python programs: ten-odd templates (string
 * manipulation, parsing, list processing, dict counting, math, recursion), each parameterised
 * by a {@link Random} seeded with the program's index, so every program differs in its
 * constants, its function name and its test inputs. Expected values are computed here in
 * Java, so every program is correct and every test passes.
 */
final class ProgramCorpus {

    static final int TESTS_PER_PROGRAM = 5;
    static final int MIN_LINES = 10;
    static final int MAX_LINES = 30;
    private static final long SEED = 0x1E7E_9F3FL;

    /** Builds one program of a kind from its index and seeded random source. */
    @FunctionalInterface
    interface Template {
        Program make(int index, Random random);
    }

    private static final List<Template> TEMPLATES = List.of(
            TextPrograms::caesar,
            CollectionPrograms::filterTransform,
            CollectionPrograms::topWords,
            NumberPrograms::digitRoot,
            TextPrograms::parsePairs,
            NumberPrograms::climbWays,
            TextPrograms::runLength,
            CollectionPrograms::spiral,
            NumberPrograms::primeStats,
            TextPrograms::balanced,
            CollectionPrograms::depthSum);

    private ProgramCorpus() {
    }

    static int kinds() {
        return TEMPLATES.size();
    }

    /** The first {@code count} programs; the same count always yields the same programs. */
    static List<Program> generate(int count) {
        List<Program> programs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Random random = new Random(SEED * 31 + i);
            Program p = TEMPLATES.get(i % TEMPLATES.size()).make(i, random);
            check(p);
            programs.add(p);
        }
        return List.copyOf(programs);
    }

    private static void check(Program p) {
        if (p.tests().size() != TESTS_PER_PROGRAM) {
            throw new IllegalStateException(p.entryPoint() + " has " + p.tests().size() + " tests");
        }
        int lines = p.codeLines();
        if (lines < MIN_LINES || lines > MAX_LINES) {
            throw new IllegalStateException(p.entryPoint() + " has " + lines + " lines");
        }
    }

    /** A random lowercase word of {@code min}..{@code max} letters from the first {@code letters} letters. */
    static String word(Random random, int min, int max, int letters) {
        int length = min + random.nextInt(max - min + 1);
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append((char) ('a' + random.nextInt(letters)));
        }
        return sb.toString();
    }
}
