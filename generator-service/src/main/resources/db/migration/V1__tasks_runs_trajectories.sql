-- Tasks, generation runs, trajectories and their iterations, and the durable job queue.

create table task_sets (
    name        text primary key,
    created_at  timestamptz not null default now()
);

create table tasks (
    id                  uuid primary key,
    task_set            text not null references task_sets (name),
    external_id         text not null,
    format              text not null,
    language            text not null,
    prompt              text not null,
    entry_point         text,
    reference_solution  text,
    tests               jsonb not null,
    status              text not null,
    status_reason       text,
    metadata            jsonb not null default '{}'::jsonb,
    created_at          timestamptz not null default now(),
    unique (task_set, external_id)
);
create index tasks_by_set on tasks (task_set, created_at, id);

create table generation_runs (
    id                uuid primary key,
    task_set          text not null references task_sets (name),
    source            jsonb not null,
    source_type       text not null,
    synthetic         boolean not null,
    max_iterations    int not null,
    samples_per_task  int not null,
    seed              bigint not null,
    status            text not null,
    created_at        timestamptz not null default now(),
    finished_at       timestamptz
);

create table trajectories (
    id             uuid primary key,
    run_id         uuid not null references generation_runs (id),
    task_id        uuid not null references tasks (id),
    sample         int not null,
    status         text not null,
    synthetic      boolean not null,
    iterations     int not null default 0,
    final_code     text,
    error          text,
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now(),
    unique (run_id, task_id, sample)
);
create index trajectories_by_run on trajectories (run_id, status);

-- An iteration is written exactly once: the primary key refuses a second write of the same number.
create table iterations (
    trajectory_id      uuid not null references trajectories (id),
    number             int not null,
    prompt             text not null,
    raw_output         text not null,
    code               text not null,
    model              text not null,
    verdict            text not null,
    passed             int not null,
    total              int not null,
    execution          jsonb not null,
    feedback           text not null,
    prompt_tokens      int,
    completion_tokens  int,
    generation_ms      bigint not null,
    execution_ms       bigint not null,
    created_at         timestamptz not null default now(),
    primary key (trajectory_id, number)
);

-- One job per trajectory. Instances claim READY jobs with FOR UPDATE SKIP LOCKED under a lease
-- they renew by heartbeat; a job whose lease expired is claimable again, and its trajectory
-- resumes after its last stored iteration.
create table jobs (
    trajectory_id  uuid primary key references trajectories (id),
    run_id         uuid not null references generation_runs (id),
    status         text not null,
    attempts       int not null default 0,
    not_before     timestamptz not null default now(),
    lease_owner    text,
    lease_until    timestamptz,
    last_error     text,
    updated_at     timestamptz not null default now()
);
create index jobs_claimable on jobs (status, not_before);
create index jobs_by_run on jobs (run_id, status);
