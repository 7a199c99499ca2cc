package org.iterpref.generator.source.buginjection;

import java.util.Optional;
import java.util.UUID;

/**
 * Where a trajectory's mutation plan is kept once chosen: a trajectory's later iterations must
 * undo the bugs its first one planted, whichever instance runs them and whatever the executor
 * says about mutants by then.
 */
public interface PlanStore {

    /** Keeps nothing: each call plans again (for callers without trajectories). */
    PlanStore NONE = new PlanStore() {
        @Override
        public Optional<MutationPlan> find(UUID trajectoryId) {
            return Optional.empty();
        }

        @Override
        public MutationPlan keep(UUID trajectoryId, MutationPlan plan) {
            return plan;
        }
    };

    /** The trajectory's plan, if one was kept. */
    Optional<MutationPlan> find(UUID trajectoryId);

    /** Keeps {@code plan} unless the trajectory has one already; returns the one kept (the first wins). */
    MutationPlan keep(UUID trajectoryId, MutationPlan plan);
}
