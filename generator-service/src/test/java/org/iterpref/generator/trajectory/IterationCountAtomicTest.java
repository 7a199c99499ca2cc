package org.iterpref.generator.trajectory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.iterpref.generator.support.ExampleTasks;
import org.iterpref.generator.support.GeneratorClient;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * An iteration and the trajectory's iteration count are written together or not at all: a failure
 * between the two (here a trigger that refuses the count's first update, as an instance dying
 * between two commits would) must not leave an iteration the count does not know, which a resumed
 * trajectory would never account for.
 */
class IterationCountAtomicTest extends GeneratorIntegrationTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, IterationCountAtomicTest.class);
    }

    @Autowired
    JdbcClient jdbc;

    @Test
    void aFailedCountUpdateLeavesNoIterationBehind() {
        // a sequence is not transactional: the trigger refuses exactly the first count update, even if rolled back
        jdbc.sql("create sequence count_updates").update();
        jdbc.sql("""
                create function refuse_first_count() returns trigger language plpgsql as $$
                begin
                    if new.iterations is distinct from old.iterations and nextval('count_updates') = 1 then
                        raise exception 'simulated failure between the iteration and its count';
                    end if;
                    return new;
                end $$""").update();
        jdbc.sql("create trigger refuse_first_count before update on trajectories for each row "
                + "execute function refuse_first_count()").update();

        GeneratorClient client = client();
        client.post("/v1/tasks/import?format=jsonl&set=atomic", "application/x-ndjson", ExampleTasks.first(1));
        var run = client.post("/v1/generation-runs", Map.of("taskSet", "atomic", "source", Map.of("type", "bug-injection"),
                "maxIterations", 5, "seed", 1));
        String runId = run.body().get("id").asString();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() ->
                client.get("/v1/generation-runs/" + runId).body().get("status").asString().equals("COMPLETED"));

        assertThat(jdbc.sql("select nextval('count_updates')").query(Long.class).single())
                .as("the trigger refused an update").isGreaterThan(1);
        List<String> inconsistent = jdbc.sql("""
                select t.id::text || ': count ' || t.iterations || ', stored ' || count(i.number)
                from trajectories t left join iterations i on i.trajectory_id = t.id
                group by t.id, t.iterations having t.iterations <> count(i.number)""").query(String.class).list();
        assertThat(inconsistent).as("iterations the count does not know").isEmpty();
    }
}
