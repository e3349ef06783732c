-- 024_metrics_inputs: a digest of the stored inputs a call's metrics were computed from (its utterances,
-- labels, duration and channel, and qa_pipeline.metrics.METRICS_VERSION), so a rescore reuses the stored
-- metrics of a call whose inputs are unchanged instead of computing them again
-- (qa_pipeline.store.metrics: set_inputs_digests, current_metrics).  NULL (rows written before this
-- migration, by the nightly run, or by another writer): always computed again.
ALTER TABLE call_metrics ADD COLUMN inputs_digest UBIGINT;
