-- A job reading a pair feed holds out whole tasks for validation: how many tasks it held out
-- (null for a job whose pairs named no task, and for jobs on uploaded files).
alter table fine_tuning_jobs add column validation_tasks int;
