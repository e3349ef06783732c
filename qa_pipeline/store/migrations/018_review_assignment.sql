-- 018_review_assignment: which reviewer reviews which call (the weekly random sample, claims and
-- assignments), and blind calibration sessions where several reviewers score one call.
CREATE TABLE review_assignments (
    call_id      VARCHAR PRIMARY KEY,
    week_start   DATE,                           -- Monday of the sampled week (NULL for a manual pick)
    source       VARCHAR NOT NULL,               -- sample | manual
    reviewer     VARCHAR,                        -- NULL until claimed or assigned
    assigned_by  VARCHAR,
    created_at   TIMESTAMP NOT NULL,
    assigned_at  TIMESTAMP
);

CREATE TABLE calibration_sessions (
    session_id   VARCHAR PRIMARY KEY,
    call_id      VARCHAR NOT NULL,
    scorecard_id VARCHAR NOT NULL,
    created_by   VARCHAR NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    closed_at    TIMESTAMP                       -- NULL while open: reviewers see only their own verdicts
);

CREATE TABLE calibration_verdicts (
    session_id   VARCHAR NOT NULL,
    username     VARCHAR NOT NULL,
    criterion_id VARCHAR NOT NULL,
    verdict      VARCHAR NOT NULL,               -- pass | fail | na
    scored_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (session_id, username, criterion_id)
);
