package org.iterpref.generator.pair;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Gives stored pairs their position in the feed, the feed's cursor, in an order that never lets a
 * follower skip a committed pair.
 *
 * <p>Ids cannot be the cursor: they come from a sequence inside concurrent transactions, so id 42 can
 * commit (and be served) before id 41, and a follower asking for {@code after=42} would never see
 * 41. Instead every row records the transaction that wrote it ({@code writer_xid}, a column default,
 * so every insert path sets it), and a pair is positioned only once its writer is below the xmin of
 * a current snapshot: every transaction below that xmin has ended and every new one gets a higher
 * xid, so the set of rows below it is final. Those rows are numbered in {@code (writer_xid, id)} order
 * after the highest position, by one assigner at a time (a transaction-scoped advisory lock, released
 * only once its positions are committed). So the positions a reader can see always form a prefix
 * that only grows at its end, and a follower reading {@code feed_position > after} receives every
 * committed pair exactly once. The cost: a pair reaches the feed only after every transaction that
 * was running when it was written has ended (a long transaction anywhere in the server delays it).
 *
 * <p>Positions are assigned when the feed is read, in a short transaction of their own; a reader
 * that finds another assigner at work does not wait for it and serves what is committed.
 */
@Component
public class PairFeedPositions {

    /** The advisory lock key that lets one assigner at a time hand out positions. */
    static final long LOCK_KEY = 0x4954_5052_4546_0001L;
    /** The most pairs positioned per assignment; the rest wait for the next read. */
    static final int BATCH = 10_000;

    private static final String ASSIGN = """
            with horizon as (select pg_snapshot_xmin(pg_current_snapshot()) as xmin),
                 top as (select coalesce(max(feed_position), 0) as position from pairs),
                 ready as (select p.id, row_number() over (order by p.writer_xid, p.id) as n
                           from pairs p, horizon
                           where p.feed_position is null and p.writer_xid < horizon.xmin
                           order by p.writer_xid, p.id
                           limit ?)
            update pairs set feed_position = top.position + ready.n
            from ready, top
            where pairs.id = ready.id""";

    private final JdbcClient jdbc;
    private final TransactionTemplate ownTransaction;

    public PairFeedPositions(JdbcClient jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.ownTransaction = new TransactionTemplate(transactions);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /** Positions the pairs whose writers have all ended; returns how many were positioned now. */
    public int assign() {
        Integer assigned = ownTransaction.execute(status -> {
            // A statement of its own: the assignment's snapshot is taken after the lock is held, so it
            // sees the positions of the previous assigner, committed before the lock was released.
            boolean locked = jdbc.sql("select pg_try_advisory_xact_lock(?)").param(LOCK_KEY)
                    .query(Boolean.class).single();
            return locked ? jdbc.sql(ASSIGN).param(BATCH).update() : 0;
        });
        return assigned == null ? 0 : assigned;
    }
}
