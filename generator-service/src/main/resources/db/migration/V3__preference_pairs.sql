-- Preference pairs built from passing trajectories: chosen = the final passing code, rejected = a
-- failing iteration, error_spans = the rejected lines the fix changed (code-point spans). Pairs a
-- filter turned away are kept with their reason, so run statistics can count them; the feed and
-- the export serve only KEPT pairs, in id order (the keyset cursor).
alter table generation_runs add column pair_policy text not null default 'LAST';

create table pairs (
    id                  bigserial primary key,
    origin              text not null,          -- GENERATED (from a trajectory) or IMPORTED
    run_id              uuid references generation_runs (id),
    task_set            text not null,
    trajectory_id       uuid references trajectories (id),
    task_id             uuid references tasks (id),
    chosen_iteration    int,
    rejected_iteration  int,
    prompt              text not null,
    chosen              text not null,
    rejected            text not null,
    error_spans         jsonb not null,
    region_lines        int not null,
    rejected_lines      int not null,
    synthetic           boolean not null,
    status              text not null,
    filter_reason       text,
    dedup_key           text not null,
    created_at          timestamptz not null default now(),
    unique (trajectory_id, rejected_iteration)
);
create index pairs_feed on pairs (status, id);
create index pairs_by_run on pairs (run_id, status);
create unique index pairs_kept_dedup on pairs (dedup_key) where status = 'KEPT';
