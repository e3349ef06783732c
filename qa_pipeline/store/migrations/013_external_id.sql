-- 013_external_id: the contact centre's own reference for a call (manifest column external_id).
-- A re-exported (re-encoded) recording has other bytes, so another call_id, but the same external_id:
-- the nightly run stores it once.
ALTER TABLE calls ADD COLUMN external_id VARCHAR;
