-- The pair feed's cursor becomes a commit-ordered position instead of the id.
--
-- Ids come from a sequence inside concurrent transactions, so a higher id can commit before a lower
-- one: a follower that was served id 42 and asks for after=42 would never see id 41 committed later.
-- Each row now records the transaction that wrote it (writer_xid, the column default, so every
-- insert path sets it). A pair gets its feed_position only once no transaction that could still
-- commit a row ordered before it is running: its writer_xid is below the xmin of a current snapshot
-- (every transaction below that xmin has ended, and every new one gets a higher xid). Positions are
-- handed out in (writer_xid, id) order, continuing from the highest one, by one assigner at a time
-- (PairFeedPositions), so the positions a reader can see are always a gap-free prefix that only grows
-- at its end: following the feed by position serves every committed pair exactly once.
alter table pairs add column writer_xid xid8 not null default pg_current_xact_id();
alter table pairs add column feed_position bigint;

-- Pairs stored before this migration were served by id: the id stays their position, so cursors a
-- trainer holds stay valid; later positions continue above the highest id.
update pairs set feed_position = id;

create unique index pairs_feed_position on pairs (feed_position);
-- What the assigner scans: stored pairs still waiting for a position.
create index pairs_awaiting_position on pairs (writer_xid, id) where feed_position is null;
-- The feed's filters (run, set), in feed order.
create index pairs_feed_by_run on pairs (run_id, feed_position) where status = 'KEPT';
create index pairs_feed_by_set on pairs (task_set, feed_position) where status = 'KEPT';
