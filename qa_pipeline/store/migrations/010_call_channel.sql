-- 010_call_channel: how the call came in.  'voice' = a recording (or a timed transcript file),
-- 'chat' = a transcript file without turn times (time-based metrics are N/A).  See docs/ingest.md.
ALTER TABLE calls ADD COLUMN channel VARCHAR DEFAULT 'voice';
