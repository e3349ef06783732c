-- 005_redaction: where PII was removed from stored text (the PII itself is never stored).
CREATE TABLE redactions (
    call_id    VARCHAR NOT NULL,
    idx        INTEGER NOT NULL,              -- utterance index
    span_no    INTEGER NOT NULL,              -- 0.. within the utterance
    pii_type   VARCHAR NOT NULL,              -- CARD | CVV | EXPIRY | SSN | DOB | PHONE | EMAIL | ADDRESS | ACCOUNT | ROUTING
    char_start INTEGER NOT NULL,              -- span of the placeholder in the stored (redacted) text
    char_end   INTEGER NOT NULL,
    start_s    DOUBLE,                        -- audio span to silence in playback
    end_s      DOUBLE,
    PRIMARY KEY (call_id, idx, span_no)
);
