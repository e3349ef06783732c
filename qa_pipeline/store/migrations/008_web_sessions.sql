-- 008_web_sessions: sign-in sessions of the review workspace, so a restart of `qa-pipeline serve`
-- does not sign everybody out.  Only a SHA-256 of the session cookie is stored (a copy of the file
-- does not hand out live sessions); rows past their timeouts are deleted at the next sign-in.
CREATE TABLE web_sessions (
    token_sha256 VARCHAR PRIMARY KEY,
    username     VARCHAR NOT NULL,
    csrf         VARCHAR NOT NULL,          -- the session's form token
    created_at   TIMESTAMP NOT NULL,        -- naive UTC
    last_seen_at TIMESTAMP NOT NULL         -- refreshed at most every few minutes
);
