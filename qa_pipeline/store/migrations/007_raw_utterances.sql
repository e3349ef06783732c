-- 007_raw_utterances: UNREDACTED transcripts, written only when the run sets redaction keep_raw
-- (off by default; see docs/redaction.md).  Same shape as utterances.text/words; delete with
-- qa_pipeline.store.redactions.purge_raw_utterances.
CREATE TABLE raw_utterances (
    call_id    VARCHAR NOT NULL,
    idx        INTEGER NOT NULL,
    text       VARCHAR NOT NULL,
    words      STRUCT("start" DOUBLE, "end" DOUBLE, "text" VARCHAR, "probability" DOUBLE)[],
    written_at TIMESTAMP NOT NULL,
    PRIMARY KEY (call_id, idx)
);
