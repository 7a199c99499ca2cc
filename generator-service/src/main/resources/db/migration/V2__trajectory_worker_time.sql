-- Time job workers spent on each trajectory (every claim summed): with the iterations' generation
-- and execution times it shows what orchestration costs.
alter table trajectories add column worker_ms bigint not null default 0;
