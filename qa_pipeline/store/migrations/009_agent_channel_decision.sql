-- 009_agent_channel_decision: how a stereo call's agent channel was decided (issue 13).
-- method: manifest (the manifest's agent_channel column), configured (--agent-channel 0|1),
-- cues (auto: from what each side says), default (auto with no cue: left channel, confidence 0).
-- confidence: 0..1 (1 for manifest / configured).  Both NULL for mono calls.
ALTER TABLE calls ADD COLUMN agent_channel_method VARCHAR;
ALTER TABLE calls ADD COLUMN agent_channel_confidence DOUBLE;
