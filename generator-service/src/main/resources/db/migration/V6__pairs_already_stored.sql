-- A run that makes a pair an earlier run (or an import) had already stored keeps it as its own:
-- status KNOWN. Its run's feed, export and statistics include it (flagged alreadyStored); the
-- unfiltered and set-filtered ones serve only KEPT pairs, so each pair reaches them once. A pair
-- repeated within one run stays FILTERED as a DUPLICATE.
update pairs repeat
set status = 'KNOWN', filter_reason = null
from pairs kept
where repeat.status = 'FILTERED' and repeat.filter_reason = 'DUPLICATE' and repeat.run_id is not null
  and kept.status = 'KEPT' and kept.dedup_key = repeat.dedup_key and kept.run_id is distinct from repeat.run_id;

drop index pairs_feed_by_run;
create index pairs_feed_by_run on pairs (run_id, feed_position) where status in ('KEPT', 'KNOWN');
