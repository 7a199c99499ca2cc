package org.iterpref.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Math and recursion templates. */
final class NumberPrograms {

    private NumberPrograms() {
    }

    static Program digitRoot(int index, Random random) {
        int base = 2 + random.nextInt(15);
        String f = "digit_root_" + index;
        String code = """
                def $F(n):
                    \"""Repeatedly replace the non-negative integer n by the sum of its digits in
                    base $B until it is below $B. Return (root, number_of_steps).

                    >>> $F(0)
                    (0, 0)
                    \"""
                    steps = 0
                    while n >= $B:
                        total = 0
                        while n:
                            n, digit = divmod(n, $B)
                            total += digit
                        n = total
                        steps += 1
                    return (n, steps)
                """.replace("$F", f).replace("$B", String.valueOf(base));
        List<String> tests = new ArrayList<>();
        for (int t = 0; t < ProgramCorpus.TESTS_PER_PROGRAM; t++) {
            long n = switch (t) {
                case 0 -> random.nextInt(base);
                case 1 -> base + random.nextInt(base * base);
                default -> (random.nextLong() >>> 1) % pow10(3 + 3 * t);
            };
            long root = n;
            int steps = 0;
            while (root >= base) {
                long total = 0;
                for (long m = root; m > 0; m /= base) {
                    total += m % base;
                }
                root = total;
                steps++;
            }
            tests.add(Py.assertEquals(f + "(" + n + ")", Py.Tuple.of(root, steps)));
        }
        return new Program(index, f, code, tests);
    }

    private static long pow10(int e) {
        long p = 1;
        for (int i = 0; i < e; i++) {
            p *= 10;
        }
        return p;
    }

    static Program climbWays(int index, Random random) {
        TreeSet<Integer> steps = new TreeSet<>();
        steps.add(1 + random.nextInt(2));
        while (steps.size() < 2 + random.nextInt(2)) {
            steps.add(1 + random.nextInt(5));
        }
        String stepList = steps.stream().map(String::valueOf).collect(Collectors.joining(", ", "(", ")"));
        String f = "climb_ways_" + index;
        String code = """
                def $F(n):
                    \"""Count the ordered ways to climb a staircase of n steps when each move
                    climbs one of $S steps. There is one way to climb 0 steps.

                    >>> $F(0)
                    1
                    \"""
                    sizes = $S
                    memo = {}

                    def ways(k):
                        if k == 0:
                            return 1
                        if k < 0:
                            return 0
                        if k not in memo:
                            memo[k] = sum(ways(k - s) for s in sizes)
                        return memo[k]

                    return ways(n)
                """.replace("$F", f).replace("$S", stepList);
        List<String> tests = new ArrayList<>();
        for (int t = 0; t < ProgramCorpus.TESTS_PER_PROGRAM; t++) {
            int n = t == 0 ? random.nextInt(4) : random.nextInt(12 * t);
            long[] ways = new long[n + 1];
            ways[0] = 1;
            for (int k = 1; k <= n; k++) {
                for (int s : steps) {
                    ways[k] += k - s >= 0 ? ways[k - s] : 0;
                }
            }
            tests.add(Py.assertEquals(f + "(" + n + ")", ways[n]));
        }
        return new Program(index, f, code, tests);
    }

    static Program primeStats(int index, Random random) {
        int m = 2 + random.nextInt(7);
        int r = random.nextInt(m);
        String f = "prime_stats_" + index;
        String code = """
                def $F(limit):
                    \"""Return (count, sum) of the primes p below limit with p % $M == $R.\"""
                    if limit < 3:
                        return (0, 0)
                    sieve = [True] * limit
                    sieve[0] = sieve[1] = False
                    for p in range(2, int(limit ** 0.5) + 1):
                        if sieve[p]:
                            for multiple in range(p * p, limit, p):
                                sieve[multiple] = False
                    count = total = 0
                    for p in range(limit):
                        if sieve[p] and p % $M == $R:
                            count += 1
                            total += p
                    return (count, total)
                """.replace("$F", f).replace("$M", String.valueOf(m)).replace("$R", String.valueOf(r));
        List<String> tests = new ArrayList<>();
        for (int t = 0; t < ProgramCorpus.TESTS_PER_PROGRAM; t++) {
            int limit = t == 0 ? random.nextInt(4) : random.nextInt(500 * t * t);
            boolean[] composite = new boolean[Math.max(limit, 2)];
            long count = 0;
            long total = 0;
            for (int p = 2; p < limit; p++) {
                if (!composite[p]) {
                    for (long q = (long) p * p; q < limit; q += p) {
                        composite[(int) q] = true;
                    }
                    if (p % m == r) {
                        count++;
                        total += p;
                    }
                }
            }
            tests.add(Py.assertEquals(f + "(" + limit + ")", Py.Tuple.of(count, total)));
        }
        return new Program(index, f, code, tests);
    }
}
