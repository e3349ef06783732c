-- 014_manifest_extra: the manifest's columns qa-pipeline does not know (csat, wrap time, case id, team…),
-- kept per call as exported: a JSON object {"column": "value"} (NULL when the manifest had none).
ALTER TABLE calls ADD COLUMN manifest_extra JSON;
