package org.iterpref.generator.source.buginjection;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import org.iterpref.generator.executor.ExecutorUnavailableException;
import org.iterpref.generator.executor.TestRunner;
import org.iterpref.generator.source.CodeSource;
import org.iterpref.generator.source.Generation;
import org.iterpref.generator.source.GenerationContext;

/**
 * The offline code source: no model, only the task's reference solution. Deterministically by
 * (task, seed, sample) it plants 1 to 3 realistic bugs that the executor has seen fail the tests
 * ({@link MutationPlanner}); iteration 0 is the mutant, and each refinement undoes one bug, so the
 * last iteration is the reference itself. Everything it produces is labelled synthetic.
 *
 * <p>The plan is chosen once per trajectory and kept ({@link PlanStore}): which mutants fail is
 * the executor's verdict, which can depend on timing (a slow mutant times out on a loaded
 * machine), so planning again after a restart or on another instance could plant other bugs than
 * the ones the earlier iterations showed.
 */
public final class BugInjectionSource implements CodeSource {

    public static final String MODEL = "bug-injection";

    private final MutationPlanner planner;
    private final PlanStore plans;

    public BugInjectionSource(TestRunner runner) {
        this(new MutationPlanner(runner), PlanStore.NONE);
    }

    public BugInjectionSource(TestRunner runner, PlanStore plans) {
        this(new MutationPlanner(runner), plans);
    }

    public BugInjectionSource(TestRunner runner, int cacheSize) {
        this(new MutationPlanner(runner, cacheSize, MutationPlanner.DEFAULT_ATTEMPTS_PER_SIZE), PlanStore.NONE);
    }

    public BugInjectionSource(MutationPlanner planner) {
        this(planner, PlanStore.NONE);
    }

    public BugInjectionSource(MutationPlanner planner, PlanStore plans) {
        this.planner = Objects.requireNonNull(planner, "planner");
        this.plans = Objects.requireNonNull(plans, "plans");
    }

    /**
     * @throws IllegalArgumentException     when the task has no reference solution or is not in Python
     * @throws NoFailingMutantException     when the task's tests catch no injected bug
     * @throws ExecutorUnavailableException when the executor cannot check the mutants now
     */
    @Override
    public Generation generate(GenerationContext context) {
        String reference = context.task().referenceSolution();
        if (reference == null || reference.isBlank()) {
            throw new IllegalArgumentException("the bug-injection source needs a reference solution, and "
                    + MutationPlanner.describe(context.task()) + " has none");
        }
        String language = context.task().language();
        if (language != null && !language.toLowerCase(Locale.ROOT).startsWith("python")) {
            throw new IllegalArgumentException("the bug-injection source only mutates Python, and "
                    + MutationPlanner.describe(context.task()) + " is in " + language);
        }
        MutationPlan plan = plan(context);
        int iteration = Math.max(0, context.iteration());
        String code = plan.codeAfterUndoing(reference, iteration);
        String prompt = prompt(plan, iteration, context.seed());
        return new Generation(prompt, code, code, MODEL, null, null, false);
    }

    /** The trajectory's kept plan, or a new one, kept unless another instance kept one first. */
    private MutationPlan plan(GenerationContext context) {
        if (context.trajectoryId() == null) {
            return planner.plan(context.task(), context.seed(), context.sample());
        }
        return plans.find(context.trajectoryId()).orElseGet(() -> plans.keep(context.trajectoryId(),
                planner.plan(context.task(), context.seed(), context.sample())));
    }

    private static String prompt(MutationPlan plan, int iteration, long seed) {
        List<Mutation> mutations = plan.mutations();
        StringBuilder text = new StringBuilder("Synthetic trajectory (bug injection, seed ").append(seed)
                .append("), iteration ").append(iteration).append(": ");
        if (iteration == 0) {
            text.append("the reference solution with ").append(mutations.size())
                    .append(mutations.size() == 1 ? " injected bug" : " injected bugs")
                    .append(" (line numbers of the reference solution):\n")
                    .append(mutations.stream().map(m -> "- " + m.description()).collect(Collectors.joining("\n")));
        } else if (iteration <= mutations.size()) {
            int left = mutations.size() - iteration;
            text.append("undid the injected bug (").append(mutations.get(iteration - 1).description()).append("); ")
                    .append(left == 0 ? "no injected bug left, this is the reference solution"
                            : left + (left == 1 ? " injected bug left" : " injected bugs left"));
        } else {
            text.append("no injected bug left, this is the reference solution");
        }
        return text.toString();
    }

    @Override
    public boolean synthetic() {
        return true;
    }

    @Override
    public String model() {
        return MODEL;
    }
}
