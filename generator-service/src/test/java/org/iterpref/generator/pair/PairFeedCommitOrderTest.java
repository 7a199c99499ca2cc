package org.iterpref.generator.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.iterpref.common.pair.CharSpan;
import org.iterpref.common.pair.ErrorRegion;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.DefaultTransactionDefinition;
import tools.jackson.databind.JsonNode;

/**
 * The pair feed never skips a committed pair: pairs take their ids from a sequence in concurrent
 * transactions, so a higher id can commit first. Two writers store pairs through
 * {@link PairRepository#insert} (the workers' and the importer's path) in transactions of their own
 * and commit them out of order; a follower reads the feed in between and after, as a trainer does
 * (passing {@code next} back as {@code after}), and must receive every pair exactly once.
 */
class PairFeedCommitOrderTest extends GeneratorIntegrationTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, PairFeedCommitOrderTest.class);
    }

    @Autowired
    PairRepository pairs;

    @Autowired
    PlatformTransactionManager transactions;

    @Autowired
    JdbcClient jdbc;

    @Test
    void aLowerIdCommittedAfterAHigherOneIsStillServed() throws Exception {
        String set = "commit-order";
        Follower follower = new Follower(set);
        try (Writer first = new Writer(); Writer second = new Writer()) {
            first.begin();
            long firstId = first.insert(draft(set, "first"));
            second.begin();
            long secondId = second.insert(draft(set, "second"));
            assertThat(secondId).isGreaterThan(firstId);
            second.commit();

            follower.readToTheEnd();
            first.commit();
            follower.readToTheEnd();

            assertThat(follower.ids()).as("pairs the follower received, in order")
                    .containsExactlyInAnyOrder(firstId, secondId);
        }
    }

    @Test
    void aWriterThatStartedFirstButTookTheHigherIdIsNotOvertaken() throws Exception {
        // The higher id's transaction began (and wrote, like a worker storing its iteration) first,
        // so ordering by id and only serving transactions below the horizon is not enough.
        String set = "xid-order";
        Follower follower = new Follower(set);
        try (Writer early = new Writer(); Writer late = new Writer()) {
            early.begin();
            early.call(() -> jdbc.sql("select pg_current_xact_id()::text").query(String.class).single());
            late.begin();
            late.call(() -> jdbc.sql("select pg_current_xact_id()::text").query(String.class).single());
            long lowerId = late.insert(draft(set, "late transaction, lower id"));
            long higherId = early.insert(draft(set, "early transaction, higher id"));
            assertThat(higherId).isGreaterThan(lowerId);
            early.commit();

            follower.readToTheEnd();
            late.commit();
            follower.readToTheEnd();

            assertThat(follower.ids()).as("pairs the follower received, in order")
                    .containsExactlyInAnyOrder(lowerId, higherId);
        }
    }

    @Test
    void manyConcurrentWritersWhileFollowing() throws Exception {
        String set = "many-writers";
        Follower follower = new Follower(set);
        List<Long> written = new ArrayList<>();
        List<Writer> open = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                Writer w = new Writer();
                open.add(w);
                w.begin();
                written.add(w.insert(draft(set, "pair " + i)));
            }
            // Commit from the highest id down, reading the feed after each commit.
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).commit();
                follower.readToTheEnd();
            }
            follower.readToTheEnd();
        } finally {
            for (Writer w : open) {
                w.close();
            }
        }
        assertThat(follower.ids()).as("pairs the follower received, in order")
                .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(written);
    }

    private static PairDraft draft(String set, String name) {
        String rejected = "def f():\n    return 0  # " + name + "\n";
        return new PairDraft(PairImporter.IMPORTED, null, set, null, null, null, null, "Write f (" + name + ")",
                "def f():\n    return 1\n", rejected, new ErrorRegion(List.of(new CharSpan(9, rejected.length())), 1, 2),
                false, null);
    }

    /** Reads the feed as a trainer does: pages from its cursor until a page is empty. */
    private final class Follower {
        private final String set;
        private final List<Long> ids = new ArrayList<>();
        private long after;

        Follower(String set) {
            this.set = set;
        }

        void readToTheEnd() {
            while (true) {
                var response = client().get("/v1/pairs?after=" + after + "&limit=2&set=" + set);
                assertThat(response.status()).as(response.raw()).isEqualTo(200);
                JsonNode page = response.body();
                page.get("pairs").forEach(p -> ids.add(p.get("id").asLong()));
                long next = page.get("next").asLong();
                assertThat(next).as("the cursor never goes back").isGreaterThanOrEqualTo(after);
                after = next;
                if (page.get("pairs").isEmpty()) {
                    return;
                }
            }
        }

        List<Long> ids() {
            return ids;
        }
    }

    /** One open transaction on a thread (and so a connection) of its own, driven step by step. */
    private final class Writer implements AutoCloseable {
        private final ExecutorService thread = Executors.newSingleThreadExecutor();
        private TransactionStatus status;

        void begin() throws Exception {
            call(() -> status = transactions.getTransaction(new DefaultTransactionDefinition()));
        }

        long insert(PairDraft draft) throws Exception {
            return call(() -> {
                assertThat(pairs.insert(draft)).isNull();
                return jdbc.sql("select max(id) from pairs where prompt = ?").param(draft.prompt())
                        .query(Long.class).single();
            });
        }

        void commit() throws Exception {
            call(() -> {
                transactions.commit(status);
                status = null;
                return null;
            });
        }

        <T> T call(Callable<T> step) throws Exception {
            return thread.submit(step).get(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            if (status != null) {
                call(() -> {
                    transactions.rollback(status);
                    return null;
                });
            }
            thread.shutdownNow();
        }
    }
}
