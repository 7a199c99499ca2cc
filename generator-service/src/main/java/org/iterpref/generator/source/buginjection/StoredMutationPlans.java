package org.iterpref.generator.source.buginjection;

import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/** Mutation plans in PostgreSQL, in the trajectory's row ({@code trajectories.mutation_plan}). */
@Repository
public class StoredMutationPlans implements PlanStore {

    private final JdbcClient jdbc;
    private final JsonMapper json;

    public StoredMutationPlans(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    @Override
    public Optional<MutationPlan> find(UUID trajectoryId) {
        return jdbc.sql("select mutation_plan::text from trajectories where id = ? and mutation_plan is not null")
                .param(trajectoryId).query(String.class).optional()
                .map(text -> json.readValue(text, MutationPlan.class));
    }

    @Override
    public MutationPlan keep(UUID trajectoryId, MutationPlan plan) {
        jdbc.sql("update trajectories set mutation_plan = ?::jsonb where id = ? and mutation_plan is null")
                .params(json.writeValueAsString(plan), trajectoryId).update();
        return find(trajectoryId).orElse(plan); // another instance's plan when it kept one first
    }
}
