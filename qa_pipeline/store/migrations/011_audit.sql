-- 011_audit: who signed in (or failed, or was throttled), who opened or played which call, and every
-- reviewed mark and reopen, so supervisors can answer "who saw this call" and no review mark vanishes
-- without a trace.  Written by the review workspace; never updated or deleted by the code.
CREATE TABLE audit_events (
    event_id  VARCHAR PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,          -- naive UTC
    kind      VARCHAR NOT NULL,              -- signin_ok, signin_failed, signin_throttled, signout,
                                             -- call_opened, call_played, review_marked, review_reopened
    username  VARCHAR,                       -- who; for a failed sign-in the name typed (at most 64 characters)
    client    VARCHAR,                       -- client address (as forwarded by a trusted proxy)
    call_id   VARCHAR,                       -- the call, for call and review events
    detail    VARCHAR                        -- e.g. the review note that a reopen replaced
);
