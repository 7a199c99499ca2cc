package org.iterpref.generator.pair;

import java.util.ArrayList;
import java.util.List;
import org.iterpref.common.execution.Verdict;
import org.iterpref.common.pair.ErrorRegion;
import org.iterpref.common.pair.ErrorRegionFinder;
import org.iterpref.generator.config.GeneratorProperties;
import org.iterpref.generator.run.GenerationRun;
import org.iterpref.generator.task.Task;
import org.iterpref.generator.trajectory.Iteration;
import org.iterpref.generator.trajectory.Trajectory;
import org.springframework.stereotype.Component;

/**
 * Turns a passing trajectory into preference pairs: chosen = its final passing code, rejected =
 * its last failing iteration (policy LAST) or every failing one (ALL), each with the error region
 * of the fix. Filters: an empty region, a region over {@code max-region-share} of the rejected
 * lines, and duplicates; filtered pairs are stored with their reason so statistics can count them.
 */
@Component
public class PairBuilder {

    static final String GENERATED = "GENERATED";

    private final PairRepository pairs;
    private final ErrorRegionFinder finder = new ErrorRegionFinder();
    private final double maxRegionShare;

    public PairBuilder(PairRepository pairs, GeneratorProperties properties) {
        this.pairs = pairs;
        this.maxRegionShare = properties.maxRegionShare();
    }

    /** Builds (idempotently) the pairs of a trajectory whose last iteration passed. */
    public void build(GenerationRun run, Trajectory trajectory, Task task, List<Iteration> iterations) {
        if (iterations.isEmpty() || iterations.get(iterations.size() - 1).verdict() != Verdict.PASSED) {
            return;
        }
        Iteration chosen = iterations.get(iterations.size() - 1);
        for (Iteration rejected : rejectedSides(run.pairPolicy(), iterations)) {
            ErrorRegion region = finder.find(rejected.code(), chosen.code());
            pairs.insert(new PairDraft(GENERATED, run.id(), run.taskSet(), trajectory.id(), task.id(), chosen.number(),
                    rejected.number(), task.prompt(), chosen.code(), rejected.code(), region, trajectory.synthetic(),
                    filter(region)));
        }
    }

    FilterReason filter(ErrorRegion region) {
        if (region.isEmpty()) {
            return FilterReason.EMPTY_REGION;
        }
        return region.lineShare() > maxRegionShare ? FilterReason.WHOLE_PROGRAM : null;
    }

    private static List<Iteration> rejectedSides(PairPolicy policy, List<Iteration> iterations) {
        List<Iteration> failing = new ArrayList<>(iterations.subList(0, iterations.size() - 1));
        failing.removeIf(i -> i.verdict() == Verdict.PASSED);
        if (policy == PairPolicy.LAST && failing.size() > 1) {
            return List.of(failing.get(failing.size() - 1));
        }
        return failing;
    }
}
