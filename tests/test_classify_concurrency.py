"""Many calls classified at once through the real classifier must all succeed.

A Hugging Face fast tokenizer keeps its truncation/padding settings on one
shared Rust object; token counting (long turns are chunked), the sentiment
word features (truncate, no padding) and the encoder (pad and truncate) each
set their own.  Without serialising them, calls classified in parallel failed
with ``ValueError: Unable to create tensor, you should probably activate
truncation and/or padding`` (issue #17).  This test runs 24 transcript-file
calls on 12 threads through the real spine (redaction, classification,
scoring) and the installed classifier, and 60 batches of mixed short and
long turns on 12 threads straight into the classifier (without the locks this
second test fails within seconds on 2 cores).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from qa_pipeline.classify import load_classifier
from qa_pipeline.ingest import discover
from qa_pipeline.pipeline import PipelineOptions
from qa_pipeline.stages import CallSource, spine

# Short turns (padded batches) and long monologues (token-counted, chunked, truncated at the encoder window).
_SHORT = [
    "Thanks for calling, how can I help you today?",
    "I am really unhappy, this is the third time my payment failed.",
    "Sorry about that, let me check the account for you.",
    "Great, thank you so much, that was quick.",
]
_LONG = (
    "I have been waiting on hold for forty minutes and nobody has called me back about the refund, "
    "and I was told last week that it would be sorted within two days. "
    "Every time I ring I get a different answer and I have to explain the whole thing from the start again. "
)


def _write_calls(folder: Path, n: int) -> None:
    for i in range(n):
        turns = []
        for j in range(6 + i % 5):
            speaker = "agent" if j % 2 == 0 else "customer"
            text = _SHORT[(i + j) % len(_SHORT)]
            if (i + j) % 3 == 0:
                text = _LONG * (1 + (i + j) % 4)  # 1-4 repeats: some pass the 128-token window
            turns.append({"speaker": speaker, "text": text})
        (folder / f"chat-{i:02d}.transcript.json").write_text(json.dumps({"turns": turns}), encoding="utf-8")


def test_many_calls_classified_at_once_all_succeed(tmp_path: Path) -> None:
    _write_calls(tmp_path, 24)
    recordings = discover(tmp_path, settle_s=0).recordings
    assert len(recordings) == 24
    options = PipelineOptions()
    stages = spine(options)
    classifier = load_classifier()

    def one(rec):
        return stages.run(CallSource(rec, options))

    reference = {rec.path.name: [lab.sentiment for lab in one(rec).labels] for rec in recordings[:4]}
    for _round in range(2):
        with ThreadPoolExecutor(max_workers=12) as pool:
            results = list(pool.map(one, recordings))  # re-raises the first failure
        assert len(results) == 24
        for rec, analysis in zip(recordings, results):
            assert analysis.classifier_version == classifier.version
            assert len(analysis.labels) == len(analysis.conversation.utterances)
            if rec.path.name in reference:  # concurrent results equal the one-at-a-time ones
                assert [lab.sentiment for lab in analysis.labels] == reference[rec.path.name]


def test_classifier_called_from_many_threads_gives_the_same_labels() -> None:
    classifier = load_classifier()
    texts = [_SHORT[i % len(_SHORT)] if i % 3 else _LONG * (1 + i % 4) for i in range(12)]
    batches = [texts[i % 5 :] + texts[: i % 5] for i in range(60)]
    expected = {i: [r.sentiment for r in classifier.classify(batches[i])] for i in range(5)}
    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(classifier.classify, batches))  # re-raises "Unable to create tensor"
    for i, result in enumerate(results):
        assert len(result) == len(texts)
        assert [r.sentiment for r in result] == expected[i % 5]
