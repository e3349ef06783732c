-- 003_scoring: conversation metrics, scorecards, scores with evidence, flags.
CREATE TABLE call_metrics (
    call_id                  VARCHAR PRIMARY KEY,
    handle_time_s            DOUBLE,
    agent_talk_s             DOUBLE,
    customer_talk_s          DOUBLE,
    agent_talk_ratio         DOUBLE,          -- agent talk / (agent + customer talk)
    non_talk_s               DOUBLE,
    longest_silence_s        DOUBLE,
    overtalk_s               DOUBLE,
    agent_interruptions      INTEGER,         -- agent started while customer spoke
    customer_interruptions   INTEGER,
    agent_wpm                DOUBLE,
    first_agent_response_s   DOUBLE,
    hold_s                   DOUBLE,
    customer_sentiment_start DOUBLE,          -- mean signed sentiment (-1..1), first quarter
    customer_sentiment_end   DOUBLE,          -- last quarter
    metrics                  JSON NOT NULL,   -- the full metrics object (quarters, hold segments, ...)
    computed_at              TIMESTAMP NOT NULL
);

CREATE TABLE scorecards (
    scorecard_id  VARCHAR NOT NULL,
    version       VARCHAR NOT NULL,           -- content hash of the normalised scorecard
    title         VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,           -- the YAML text it was scored with
    registered_at TIMESTAMP NOT NULL,
    PRIMARY KEY (scorecard_id, version)
);

CREATE TABLE call_scores (
    call_id           VARCHAR NOT NULL,
    scorecard_id      VARCHAR NOT NULL,
    scorecard_version VARCHAR NOT NULL,
    score             DOUBLE NOT NULL,        -- automatic score 0..100 (0 when auto-failed)
    final_score       DOUBLE NOT NULL,        -- score with reviewers' overrides applied
    points            DOUBLE NOT NULL,
    max_points        DOUBLE NOT NULL,
    auto_failed       BOOLEAN NOT NULL,
    auto_fail_reasons VARCHAR[] NOT NULL,
    passed            BOOLEAN NOT NULL,
    scored_at         TIMESTAMP NOT NULL,
    PRIMARY KEY (call_id, scorecard_id)
);

CREATE TABLE section_scores (
    call_id       VARCHAR NOT NULL,
    scorecard_id  VARCHAR NOT NULL,
    section_id    VARCHAR NOT NULL,
    weight        DOUBLE NOT NULL,
    points        DOUBLE NOT NULL,
    max_points    DOUBLE NOT NULL,            -- 0 when every criterion was N/A
    score         DOUBLE,                     -- 0..100, NULL when the whole section was N/A
    PRIMARY KEY (call_id, scorecard_id, section_id)
);

CREATE TABLE criterion_results (
    call_id           VARCHAR NOT NULL,
    scorecard_id      VARCHAR NOT NULL,
    scorecard_version VARCHAR NOT NULL,
    section_id        VARCHAR NOT NULL,
    criterion_id      VARCHAR NOT NULL,
    kind              VARCHAR NOT NULL,       -- label_present | label_absent | metric | sentiment | ...
    verdict           VARCHAR NOT NULL,       -- pass | fail | na
    points            DOUBLE NOT NULL,
    max_points        DOUBLE NOT NULL,
    auto_fail         BOOLEAN NOT NULL,       -- this failed verdict failed the whole call
    reason            VARCHAR NOT NULL,       -- one sentence a reviewer can read
    evidence          JSON NOT NULL,          -- {"utterances": [{idx, speaker, start_s, end_s, text, scores}], "window": {...}, "values": {...}}
    PRIMARY KEY (call_id, scorecard_id, criterion_id)
);

CREATE TABLE flags (
    call_id      VARCHAR NOT NULL,
    rule_id      VARCHAR NOT NULL,
    scorecard_id VARCHAR NOT NULL,            -- '' for call-level rules
    reason       VARCHAR NOT NULL,
    severity     VARCHAR NOT NULL,            -- high | medium | low
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (call_id, rule_id, scorecard_id)
);
