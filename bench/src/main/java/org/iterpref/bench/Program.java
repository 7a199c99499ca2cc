package org.iterpref.bench;

import java.util.List;

/**
 * One benchmark program: a HumanEval-sized solution and its assert tests.
 *
 * @param index      position in the corpus (also its seed)
 * @param entryPoint name of the function under test
 * @param code       the solution's source
 * @param tests      one assert statement per test
 */
record Program(int index, String entryPoint, String code, List<String> tests) {

    Program {
        tests = List.copyOf(tests);
    }

    /** Solution followed by every test, as one script (the bare baseline runs this). */
    String script() {
        return code + "\n\n" + String.join("\n", tests) + "\n";
    }

    int codeLines() {
        return (int) code.lines().count();
    }
}
