-- The tables of PgStore (src/pg-store.ts). migrate() runs this file in one transaction, after
-- `CREATE SCHEMA IF NOT EXISTS` and `SET LOCAL search_path` to the store's schema (default
-- `sessionkit`) and under an advisory lock, so app instances starting together do not race. Every
-- statement is idempotent: running it again changes nothing. By hand:
--   psql "$DATABASE_URL" -c 'CREATE SCHEMA IF NOT EXISTS sessionkit' \
--        -c 'SET search_path TO sessionkit' -f sql/schema.sql
--
-- All times are bigint milliseconds since the epoch on the APP's clock (passed as parameters,
-- never the database's now()): the absolute deadline is fixed by the app, and comparing it with
-- another clock would end sessions early or late by the skew. See docs/store-contract.md.

-- One row per session.
CREATE TABLE IF NOT EXISTS sessions (
  id         text   PRIMARY KEY,              -- 43 base64url characters (isValidSessionId)
  data       jsonb  NOT NULL DEFAULT '{}',    -- top-level key -> the value as the serializer wrote it
  created_at bigint NOT NULL,
  deadline   bigint NOT NULL,                 -- the absolute deadline
  expires_at bigint NOT NULL,                 -- least(last write or slide + idle TTL, deadline)
  user_id    text,                            -- for "log out everywhere"; NULL when anonymous
  user_gen   bigint NOT NULL DEFAULT 0        -- the user's log-out generation when the session became theirs
);

-- "Log out everywhere" and listings find a user's rows by this index.
CREATE INDEX IF NOT EXISTS sessions_user_id ON sessions (user_id) WHERE user_id IS NOT NULL;
-- purgeExpired() deletes by this index.
CREATE INDEX IF NOT EXISTS sessions_expires_at ON sessions (expires_at);

-- One row per user who was ever logged out everywhere: the log-out generation. A session whose
-- user_gen is below its user's generation is not live (it was being created, regenerated or logged
-- in while a log-out ran), whatever its expiry. Rows are never deleted: a missing row reads as 0,
-- which would bring such sessions back.
CREATE TABLE IF NOT EXISTS session_users (
  user_id    text   PRIMARY KEY,
  generation bigint NOT NULL
);
