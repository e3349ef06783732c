-- 021_login_throttle: the review workspace's sign-in throttle counters, so a restart of `qa-pipeline serve`
-- does not hand a guesser a fresh set of attempts.  One row per (user name, client address) and one per
-- client address (username = ''); times are seconds since the epoch (UTC).  Rows whose count has faded
-- and whose lock has ended are deleted at the next failed sign-in.
CREATE TABLE login_throttle (
    kind         VARCHAR NOT NULL,          -- 'user' (one name from one address) | 'addr' (one address, any name)
    username     VARCHAR NOT NULL,          -- lower-cased sign-in name; '' for 'addr' rows
    client       VARCHAR NOT NULL,          -- client address (the one a trusted proxy forwarded)
    failures     INTEGER NOT NULL,          -- failures since the last lock (or since the count faded)
    last_failure DOUBLE NOT NULL,           -- epoch seconds of the latest failure
    locked_until DOUBLE NOT NULL,           -- epoch seconds; refused until then (0: not locked)
    locks        INTEGER NOT NULL,          -- locks so far (each lasts twice the one before, up to a cap)
    PRIMARY KEY (kind, username, client)
);
