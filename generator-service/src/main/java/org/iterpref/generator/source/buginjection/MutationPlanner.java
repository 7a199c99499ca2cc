package org.iterpref.generator.source.buginjection;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.iterpref.common.execution.ExecutionResult;
import org.iterpref.common.execution.Verdict;
import org.iterpref.generator.executor.ExecutorUnavailableException;
import org.iterpref.generator.executor.TestRunner;
import org.iterpref.generator.task.Task;

/**
 * Chooses the bugs of one trajectory, deterministically by (task, seed, sample): 1 to 3
 * compatible mutations of the reference solution such that the mutant, and every intermediate
 * code a refinement leads to before the last, compiles and fails the task's tests in the executor.
 * Sets that pass or do not compile are rejected and others tried (a bounded number per size, then
 * fewer mutations); when nothing fails, {@link NoFailingMutantException}. Plans are cached (LRU);
 * {@link ExecutorUnavailableException} from the runner propagates and nothing is cached.
 */
public final class MutationPlanner {

    public static final int DEFAULT_CACHE_SIZE = 1_024;
    public static final int MAX_MUTATIONS = 3;
    public static final int DEFAULT_ATTEMPTS_PER_SIZE = 20;

    private final TestRunner runner;
    private final MutationFinder finder = new MutationFinder();
    private final PlanCache cache;
    private final int attemptsPerSize;

    public MutationPlanner(TestRunner runner) {
        this(runner, DEFAULT_CACHE_SIZE, DEFAULT_ATTEMPTS_PER_SIZE);
    }

    public MutationPlanner(TestRunner runner, int cacheSize, int attemptsPerSize) {
        if (attemptsPerSize < 1) {
            throw new IllegalArgumentException("attemptsPerSize must be >= 1, was " + attemptsPerSize);
        }
        this.runner = Objects.requireNonNull(runner, "runner");
        this.cache = new PlanCache(cacheSize);
        this.attemptsPerSize = attemptsPerSize;
    }

    /**
     * The plan of sample {@code sample} of {@code task} under {@code seed}.
     *
     * @throws IllegalArgumentException     when the task has no reference solution
     * @throws NoFailingMutantException     when no tried mutant fails the task's tests
     * @throws ExecutorUnavailableException when the executor cannot run the mutants now
     */
    public MutationPlan plan(Task task, long seed, int sample) {
        String reference = task.referenceSolution();
        if (reference == null || reference.isBlank()) {
            throw new IllegalArgumentException("bug injection needs a reference solution, and " + describe(task)
                    + " has none");
        }
        PlanCache.Key key = new PlanCache.Key(task.id(), seed, sample, reference);
        MutationPlan cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        MutationPlan plan = search(task, reference, new Random(mix(seed, task.id(), sample)));
        cache.put(key, plan);
        return plan;
    }

    /** Number of plans held in the cache (for tests and metrics). */
    public int cachedPlans() {
        return cache.size();
    }

    private MutationPlan search(Task task, String reference, Random random) {
        List<Mutation> candidates = finder.find(reference);
        if (candidates.isEmpty()) {
            throw new NoFailingMutantException("cannot inject a bug into " + describe(task)
                    + ": its reference solution has no mutation site");
        }
        int wanted = 1 + random.nextInt(Math.min(MAX_MUTATIONS, candidates.size()));
        Set<List<Mutation>> tried = new HashSet<>();
        for (int size = wanted; size >= 1; size--) {
            for (int attempt = 0; attempt < attemptsPerSize; attempt++) {
                List<Mutation> chosen = MutationSelector.choose(candidates, size, random);
                if (chosen.size() < size) {
                    break;
                }
                if (tried.add(chosen) && everyStepFails(task, reference, chosen)) {
                    return new MutationPlan(chosen, MutationApplier.apply(reference, chosen));
                }
            }
        }
        throw new NoFailingMutantException("the tests of " + describe(task) + " catch none of the "
                + tried.size() + " mutants tried (out of " + candidates.size()
                + " mutation sites): they cannot detect injected bugs");
    }

    /** The mutant and each code a refinement leads to before the last (mutations[k..]) must fail. */
    private boolean everyStepFails(Task task, String reference, List<Mutation> chosen) {
        for (int undone = 0; undone < chosen.size(); undone++) {
            String code = MutationApplier.apply(reference, chosen.subList(undone, chosen.size()));
            if (!fails(task, code)) {
                return false;
            }
        }
        return true;
    }

    private boolean fails(Task task, String code) {
        ExecutionResult result = runner.check(task, code);
        if (result.verdict() == Verdict.SANDBOX_ERROR) {
            throw new ExecutorUnavailableException("sandbox error while checking a mutant of " + describe(task)
                    + ": " + result.feedback());
        }
        if (result.verdict().passed() || result.verdict() == Verdict.TIMEOUT) {
            // a mutant that hangs costs a full wall-time limit per test in every trajectory step, and its
            // feedback ("time limit exceeded") says nothing about where the bug is: pick another
            return false;
        }
        return result.feedback() == null || !result.feedback().contains("does not compile");
    }

    /** The random seed of one trajectory's plan: a SplitMix64 mix of seed, task id and sample. */
    static long mix(long seed, UUID taskId, int sample) {
        long hash = splitMix(seed);
        if (taskId != null) {
            hash = splitMix(hash ^ taskId.getMostSignificantBits());
            hash = splitMix(hash ^ taskId.getLeastSignificantBits());
        }
        return splitMix(hash ^ sample);
    }

    private static long splitMix(long value) {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static String describe(Task task) {
        return "task " + task.id() + " (" + task.taskSet() + "/" + task.externalId() + ")";
    }
}
