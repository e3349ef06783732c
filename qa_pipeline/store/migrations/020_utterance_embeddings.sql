-- 020_utterance_embeddings: each utterance's sentence embedding (the classifiers' encoder), for search by meaning.
-- Written with the labels (the classify stage and `reclassify`), so they stay in step with the stored text.
-- vec: 384 int8 values (one byte each, L2-normalised vector / scale, rounded); the vector is vec * scale.
CREATE TABLE utterance_embeddings (
    call_id    VARCHAR NOT NULL,
    idx        INTEGER NOT NULL,
    encoder    VARCHAR NOT NULL,   -- Classifier.version of the pass that wrote it (covers the encoder sha256)
    scale      FLOAT NOT NULL,
    vec        BLOB NOT NULL,
    written_at TIMESTAMP NOT NULL,
    PRIMARY KEY (call_id, idx)
);
