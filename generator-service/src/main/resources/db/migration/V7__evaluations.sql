-- Evaluations: pass@k of a code source on a task set. An evaluation's samples are the trajectories
-- of a generation run of single attempts (max_iterations 1, samples_per_task = samples): every
-- sample's code and execution result are stored as that trajectory's iteration, the durable job
-- queue runs and resumes them, and the scores are computed from what is stored, so a report can
-- always be rebuilt.
create table evaluations (
    id            uuid primary key,
    run_id        uuid not null unique references generation_runs (id),
    task_set      text not null references task_sets (name),
    source_type   text not null,
    model         text not null,            -- the model asked for, or the source's name
    samples       int not null,
    ks            int[] not null,
    temperature   double precision,
    max_tokens    int,
    seed          bigint not null,
    gate_metric   text,
    gate_min      double precision,
    created_at    timestamptz not null default now()
);
create index evaluations_by_set on evaluations (task_set, created_at desc, id);
create index evaluations_by_model on evaluations (model, created_at desc, id);
