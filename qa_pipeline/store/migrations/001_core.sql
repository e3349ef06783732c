-- 001_core: calls, utterances, runs and failures.
CREATE TABLE runs (
    run_id        VARCHAR PRIMARY KEY,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP,
    input_dir     VARCHAR NOT NULL,
    status        VARCHAR NOT NULL,          -- running | ok | partial | failed
    calls_found   INTEGER DEFAULT 0,
    calls_done    INTEGER DEFAULT 0,
    calls_skipped INTEGER DEFAULT 0,
    calls_failed  INTEGER DEFAULT 0,
    audio_s       DOUBLE DEFAULT 0,
    wall_s        DOUBLE DEFAULT 0,
    asr_backend   VARCHAR,
    asr_model     VARCHAR,
    flow_run_id   VARCHAR
);

CREATE TABLE calls (
    call_id        VARCHAR PRIMARY KEY,      -- first 16 hex of sha256(file bytes)
    source_path    VARCHAR NOT NULL,
    file_sha256    VARCHAR NOT NULL,
    format         VARCHAR,
    source_rate    INTEGER,
    channels       INTEGER,
    duration_s     DOUBLE,
    agent_id       VARCHAR,
    agent_name     VARCHAR,
    queue          VARCHAR,
    started_at     TIMESTAMP,
    direction      VARCHAR,
    customer_ref   VARCHAR,
    attribution    VARCHAR,                  -- stereo | diarized | single
    agent_channel  INTEGER,
    asr_backend    VARCHAR,
    asr_model      VARCHAR,
    language       VARCHAR,
    asr_confidence DOUBLE,
    status         VARCHAR NOT NULL,         -- transcribed | complete
    run_id         VARCHAR,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);

CREATE TABLE utterances (
    call_id        VARCHAR NOT NULL,
    idx            INTEGER NOT NULL,
    speaker        VARCHAR NOT NULL,         -- agent | customer | unknown
    start_s        DOUBLE NOT NULL,
    end_s          DOUBLE NOT NULL,
    text           VARCHAR NOT NULL,
    words          STRUCT("start" DOUBLE, "end" DOUBLE, "text" VARCHAR, "probability" DOUBLE)[],
    asr_confidence DOUBLE,
    channel        INTEGER,
    PRIMARY KEY (call_id, idx)
);

CREATE TABLE failures (
    failure_id   VARCHAR PRIMARY KEY,
    run_id       VARCHAR,
    source_path  VARCHAR NOT NULL,
    call_id      VARCHAR,
    stage        VARCHAR NOT NULL,           -- discover | manifest | decode | transcribe | classify | score | store
    error_type   VARCHAR NOT NULL,
    reason       VARCHAR NOT NULL,
    occurred_at  TIMESTAMP NOT NULL
);
