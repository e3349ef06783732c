-- 016_kpi_rollups: sums per (day, agent, team, queue) kept current by every writer of calls, call_metrics,
-- call_scores and criterion_results (qa_pipeline/kpi/rollup.py), so summaries never scan every call.
-- '' stands for an unknown agent/team/queue (key columns cannot be NULL); day is the call's started_at date
-- (created_at when unknown).  Averages are sum / n; `qa-pipeline kpi --rebuild` recomputes everything.
CREATE TABLE kpi_daily (
    day              DATE NOT NULL,
    agent_id         VARCHAR NOT NULL,
    team             VARCHAR NOT NULL,
    queue            VARCHAR NOT NULL,
    calls            BIGINT NOT NULL DEFAULT 0,
    aht_sum          DOUBLE NOT NULL DEFAULT 0,  -- talk + hold + wrap
    aht_n            BIGINT NOT NULL DEFAULT 0,
    first_response_sum DOUBLE NOT NULL DEFAULT 0,
    first_response_n BIGINT NOT NULL DEFAULT 0,
    hold_sum         DOUBLE NOT NULL DEFAULT 0,
    holds            BIGINT NOT NULL DEFAULT 0,  -- hold count (detected)
    hold_n           BIGINT NOT NULL DEFAULT 0,
    dead_air_sum     DOUBLE NOT NULL DEFAULT 0,
    dead_air_n       BIGINT NOT NULL DEFAULT 0,
    escalated        BIGINT NOT NULL DEFAULT 0,  -- escalation request heard or transferred
    escalation_n     BIGINT NOT NULL DEFAULT 0,
    fcr_resolved     BIGINT NOT NULL DEFAULT 0,  -- no repeat contact within the window
    fcr_n            BIGINT NOT NULL DEFAULT 0,  -- calls with a customer_ref and a time
    csat_sum         DOUBLE NOT NULL DEFAULT 0,
    csat_n           BIGINT NOT NULL DEFAULT 0,
    nps_promoters    BIGINT NOT NULL DEFAULT 0,
    nps_detractors   BIGINT NOT NULL DEFAULT 0,
    nps_n            BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, agent_id, team, queue)
);

CREATE TABLE score_daily (
    day              DATE NOT NULL,
    agent_id         VARCHAR NOT NULL,
    team             VARCHAR NOT NULL,
    queue            VARCHAR NOT NULL,
    scorecard_id     VARCHAR NOT NULL,
    scored           BIGINT NOT NULL DEFAULT 0,
    score_sum        DOUBLE NOT NULL DEFAULT 0,
    final_score_sum  DOUBLE NOT NULL DEFAULT 0,
    passed           BIGINT NOT NULL DEFAULT 0,
    auto_failed      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, agent_id, team, queue, scorecard_id)
);

-- per criterion and verdict (automatic verdict, reviewers' overrides applied): counts, and CSAT / FCR of those calls
CREATE TABLE criterion_daily (
    day              DATE NOT NULL,
    agent_id         VARCHAR NOT NULL,
    team             VARCHAR NOT NULL,
    queue            VARCHAR NOT NULL,
    scorecard_id     VARCHAR NOT NULL,
    criterion_id     VARCHAR NOT NULL,
    verdict          VARCHAR NOT NULL,           -- pass | fail | na
    n                BIGINT NOT NULL DEFAULT 0,
    csat_sum         DOUBLE NOT NULL DEFAULT 0,
    csat_sq_sum      DOUBLE NOT NULL DEFAULT 0,
    csat_n           BIGINT NOT NULL DEFAULT 0,
    fcr_resolved     BIGINT NOT NULL DEFAULT 0,
    fcr_n            BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, agent_id, team, queue, scorecard_id, criterion_id, verdict)
);

-- the FCR window the roll-ups were computed with (one row)
CREATE TABLE kpi_settings (
    fcr_window_s     DOUBLE NOT NULL
);
INSERT INTO kpi_settings VALUES (604800);
