-- POST /v1/generation-runs with an Idempotency-Key: a retried submission finds the run its first
-- try created (one run per key, enforced here so that concurrent retries cannot create two), and
-- the SHA-256 of the canonical request tells a retry from a different request reusing the key.
alter table generation_runs add column idempotency_key text, add column request_sha256 text;
create unique index generation_runs_idempotency_key on generation_runs (idempotency_key);
