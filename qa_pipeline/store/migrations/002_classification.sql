-- 002_classification: per-utterance sentiment and compliance labels.
CREATE TABLE utterance_labels (
    call_id         VARCHAR NOT NULL,
    idx             INTEGER NOT NULL,
    model_version   VARCHAR NOT NULL,        -- classifier version (content hash of heads + thresholds)
    sentiment       VARCHAR NOT NULL,        -- negative | neutral | positive
    sentiment_score DOUBLE NOT NULL,         -- probability of that class
    label_scores    JSON NOT NULL,           -- {"greeting": 0.97, ...} every label, 0..1
    detected        VARCHAR[] NOT NULL,      -- labels at or over their threshold
    classified_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (call_id, idx)
);
