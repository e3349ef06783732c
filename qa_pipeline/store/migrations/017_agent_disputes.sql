-- 017_agent_disputes: agents as workspace users, their acknowledgements and disputes of verdicts, and
-- timestamped comments on a call.  Every step is also written to audit_events.
ALTER TABLE users ADD COLUMN agent_id VARCHAR;   -- set for role 'agent': the calls.agent_id they may see

CREATE TABLE acknowledgements (
    call_id         VARCHAR NOT NULL,
    scorecard_id    VARCHAR NOT NULL,
    username        VARCHAR NOT NULL,            -- the agent
    acknowledged_at TIMESTAMP NOT NULL,          -- naive UTC
    PRIMARY KEY (call_id, scorecard_id, username)
);

CREATE TABLE disputes (
    dispute_id      VARCHAR PRIMARY KEY,
    call_id         VARCHAR NOT NULL,
    scorecard_id    VARCHAR NOT NULL,
    criterion_id    VARCHAR NOT NULL,
    disputed_verdict VARCHAR NOT NULL,           -- the final verdict the agent disagreed with
    wanted_verdict  VARCHAR NOT NULL,            -- pass | fail | na: what the agent asks for
    comment         VARCHAR NOT NULL,            -- the agent's words (free text)
    username        VARCHAR NOT NULL,            -- the agent who opened it
    opened_at       TIMESTAMP NOT NULL,
    status          VARCHAR NOT NULL,            -- open | accepted | rejected
    decided_by      VARCHAR,
    decided_at      TIMESTAMP,
    decision_reason VARCHAR,                     -- why it was accepted or rejected (free text)
    override_id     VARCHAR                      -- the override an accepted dispute wrote
);

CREATE TABLE call_comments (
    comment_id  VARCHAR PRIMARY KEY,
    call_id     VARCHAR NOT NULL,
    username    VARCHAR NOT NULL,
    at_s        DOUBLE,                          -- the moment of the recording it is about (NULL: the whole call)
    body        VARCHAR NOT NULL,                -- free text
    created_at  TIMESTAMP NOT NULL
);
