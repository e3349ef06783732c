-- 022_speech_timing: each utterance's speech time from its word timings, so rescoring (which does not read
-- the words) computes words per minute exactly as the run did (qa_pipeline.conversation.speech_timing):
-- timed_words = number of timed words; speech_s = sum of the word spans plus the silences shorter than 1 s
-- between consecutive words (a pause of 1 s or more is not speech).  Both are 0 for a turn without word
-- timings (an imported transcript, a chat).  Rows stored before this migration are filled from their words.
ALTER TABLE utterances ADD COLUMN timed_words INTEGER;
ALTER TABLE utterances ADD COLUMN speech_s DOUBLE;
UPDATE utterances SET
    timed_words = coalesce(len(words), 0),
    speech_s = coalesce(list_sum(list_transform(
        range(1, len(words) + 1),
        lambda i: greatest(words[i]."end" - words[i]."start", 0.0)
             + CASE WHEN i > 1 AND words[i]."start" - words[i - 1]."end" > 0.0
                         AND words[i]."start" - words[i - 1]."end" < 1.0
                    THEN words[i]."start" - words[i - 1]."end" ELSE 0.0 END)), 0.0);
