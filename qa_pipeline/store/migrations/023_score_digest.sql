-- 023_score_digest: a digest of what a call's score on one scorecard stored (call_scores without final_score and
-- scored_at, its section_scores and criterion_results rows, evidence included), so a rescore that computes the
-- same rows leaves them in place instead of deleting and inserting them again
-- (qa_pipeline.store.scores.score_digest).  NULL (rows written before this migration, or by another writer):
-- always rewritten.
ALTER TABLE call_scores ADD COLUMN rows_digest VARCHAR;
