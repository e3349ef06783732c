-- 015_kpi_fields: the KPI metadata of a call (manifest or transcript file, validated by qa_pipeline/kpi/fields.py;
-- NULL when unknown or invalid) and first-contact resolution.
ALTER TABLE calls ADD COLUMN team VARCHAR;
ALTER TABLE calls ADD COLUMN csat DOUBLE;              -- customer satisfaction survey, 1..5
ALTER TABLE calls ADD COLUMN nps DOUBLE;               -- "would you recommend us", 0..10
ALTER TABLE calls ADD COLUMN wrap_s DOUBLE;            -- after-call work, seconds
ALTER TABLE calls ADD COLUMN transferred BOOLEAN;      -- the phone system transferred the call
ALTER TABLE calls ADD COLUMN hold_s DOUBLE;            -- hold time from the phone system, seconds
-- seconds from this call's start to the same customer_ref's next call (NULL: none yet, or no customer_ref / time);
-- kept current as calls arrive (a later call sets it on the earlier one).  FCR = NULL or > the window.
ALTER TABLE calls ADD COLUMN next_contact_s DOUBLE;
