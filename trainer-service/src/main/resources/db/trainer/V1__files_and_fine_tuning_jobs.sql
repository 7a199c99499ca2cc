-- The fine-tuning API: uploaded training files, durable jobs with their lease, what a running job
-- reports (events, metric rows, checkpoints) and the fine-tuned models it leaves to serve.
-- (This folder is not db/migration: the generator's tests put the trainer on their class path,
-- and Flyway would read one service's migrations into the other's database.)

-- An upload: the raw file is storage/files/<id>/raw, its pairs storage/files/<id>/pairs.jsonl.
create table training_files (
    id              text primary key,
    seq             bigserial not null unique,
    filename        text not null,
    purpose         text not null,
    bytes           bigint not null,
    status          text not null,
    status_details  text,
    lines           int not null,
    pairs           int not null,
    bad_lines       int not null,
    created_at      timestamptz not null default now()
);

-- One row per job. Instances claim queued jobs (and validating_files jobs, whose pair feed is
-- fetched first) with FOR UPDATE SKIP LOCKED under a lease renewed by heartbeat; every write a
-- worker makes is guarded by lease_owner; a job whose lease expired is claimable again.
create table fine_tuning_jobs (
    id                text primary key,
    seq               bigserial not null unique,
    model             text not null,
    status            text not null,
    training_file     text,
    validation_file   text,
    pair_feed         jsonb,
    hyperparameters   jsonb not null,
    seed              bigint not null,
    suffix            text,
    metadata          jsonb,
    fine_tuned_model  text,
    trained_tokens    bigint,
    training_pairs    int,
    validation_pairs  int,
    error_code        text,
    error_message     text,
    error_param       text,
    cancel_requested  boolean not null default false,
    attempts          int not null default 0,
    lease_owner       text,
    lease_until       timestamptz,
    created_at        timestamptz not null default now(),
    started_at        timestamptz,
    finished_at       timestamptz,
    updated_at        timestamptz not null default now()
);
create index fine_tuning_jobs_claimable on fine_tuning_jobs (status, seq);
create index fine_tuning_jobs_by_training_file on fine_tuning_jobs (training_file);
create index fine_tuning_jobs_by_validation_file on fine_tuning_jobs (validation_file);

create table fine_tuning_events (
    id          bigserial primary key,
    job_id      text not null references fine_tuning_jobs (id),
    level       text not null,
    type        text not null,
    message     text not null,
    data        jsonb,
    created_at  timestamptz not null default now()
);
create index fine_tuning_events_by_job on fine_tuning_events (job_id, id);

-- The engine's log history, one row per training step or evaluation, named as TRL names them.
create table fine_tuning_metrics (
    id          bigserial primary key,
    job_id      text not null references fine_tuning_jobs (id),
    kind        text not null,
    step        int,
    metrics     jsonb not null,
    created_at  timestamptz not null default now()
);
create index fine_tuning_metrics_by_job on fine_tuning_metrics (job_id, id);

create table fine_tuning_checkpoints (
    id          text primary key,
    job_id      text not null references fine_tuning_jobs (id),
    step        int not null,
    model_id    text not null unique,
    metrics     jsonb not null,
    created_at  timestamptz not null default now(),
    unique (job_id, step)
);

-- Every model a job made servable (checkpoints and the final model), so that after a restart a
-- request for one loads it on demand. directory is relative to the storage root.
create table fine_tuned_models (
    id          text primary key,
    job_id      text not null references fine_tuning_jobs (id),
    directory   text not null,
    created_at  timestamptz not null default now()
);
