-- The bug-injection source chooses a trajectory's bugs once (which mutants fail is the executor's
-- verdict, and a verdict can depend on timing: a slow mutant times out on a loaded machine) and
-- keeps them here, so every later iteration, after a restart or on another instance, refines the
-- same bugs. The first plan stored wins; null for other sources.
alter table trajectories add column mutation_plan jsonb;
