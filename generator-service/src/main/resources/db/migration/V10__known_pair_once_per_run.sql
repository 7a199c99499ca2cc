-- A run that makes the same pair twice (two samples of a task with the same bug), a pair an earlier
-- run or an import had kept, serves it once, as it does a pair it kept itself: the repeat is a
-- DUPLICATE. Repeats stored before this rule become DUPLICATEs (the first stays KNOWN); the index
-- settles two trajectories of a run storing the pair at once.
update pairs repeat
set status = 'FILTERED', filter_reason = 'DUPLICATE'
from pairs first
where repeat.status = 'KNOWN' and first.status = 'KNOWN' and first.run_id = repeat.run_id
  and first.dedup_key = repeat.dedup_key and first.id < repeat.id;

create unique index pairs_known_dedup on pairs (run_id, dedup_key) where status = 'KNOWN';
