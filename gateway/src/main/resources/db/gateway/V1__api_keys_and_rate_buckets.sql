-- API keys: only the SHA-256 of each key is stored; the key itself is shown once, at creation.
create table api_keys (
    id                  uuid primary key,
    name                text        not null,
    key_hash            char(64)    not null unique,
    key_prefix          text        not null,
    scopes              text[]      not null,
    requests_per_minute integer     check (requests_per_minute > 0),
    burst               integer     check (burst > 0),
    created_at          timestamptz not null default now(),
    revoked_at          timestamptz
);

-- One token bucket per key, shared by every gateway replica: refilled and taken in one UPDATE.
create table rate_limit_buckets (
    key_id      uuid             primary key,
    tokens      double precision not null,
    granted     boolean          not null,
    refilled_at timestamptz      not null
);
