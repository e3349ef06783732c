"""Scorecard targeting: ``applies_to`` (queue, direction, team, channel globs) and the default card."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from scorecard_dialogues import GOOD_CALL, build

from qa_pipeline.errors import ConfigError
from qa_pipeline.ingest import CallMetadata, Recording, read_manifest
from qa_pipeline.paths import samples_dir
from qa_pipeline.records import CallAnalysis, CallRecord
from qa_pipeline.scorecard import load_scorecards, parse_scorecard
from qa_pipeline.scorecard.targeting import applicable_scorecards
from qa_pipeline.stages import score_stage

CARD = """\
id: {id}
title: {id}
{extra}
sections:
  - id: s
    weight: 1
    criteria:
      - id: greeting
        kind: label_present
        label: greeting
        points: 1
"""


def card(ident: str, extra: str = ""):
    return parse_scorecard(CARD.format(id=ident, extra=extra), f"{ident}.yaml")


def test_applies_to_errors_name_the_path():
    with pytest.raises(ConfigError) as exc:
        card("bad", "applies_to:\n  queues: [billing]\n")
    assert "bad.yaml: [applies_to -> queues] unknown key 'queues' (did you mean 'queue'?)" in str(exc.value)
    with pytest.raises(ConfigError) as exc:
        card("bad", "applies_to:\n  direction: sideways\n")
    assert "[applies_to -> direction] direction 'sideways' matches none of inbound, outbound" in str(exc.value)
    with pytest.raises(ConfigError) as exc:
        card("bad", "applies_to:\n  channel: [fax]\n")
    assert "[applies_to -> channel]" in str(exc.value)
    with pytest.raises(ConfigError) as exc:
        card("bad", "default: true\napplies_to:\n  queue: x\n")
    assert "either the default" in str(exc.value)


def test_targeting_does_not_change_the_version():
    assert (
        card("v").version
        == card("v", "applies_to:\n  queue: [billing]\n").version
        == card("v", "default: true").version
    )


def test_globs_default_and_untargeted_cards():
    coll = card("coll", "applies_to:\n  queue: ['collections*', 'arrears']\n  direction: [outbound]\n")
    chat = card("chat", "applies_to:\n  channel: chat\n  team: ['team-?']\n")
    default = card("dflt", "default: true")
    always = card("always")
    cards = [coll, chat, default, always]

    def ids(**meta):
        m = CallMetadata(**meta)
        return [c.id for c in applicable_scorecards(cards, m)]

    assert ids(queue="Collections-EU", direction="outbound") == ["coll", "always"]
    assert ids(queue="collections", direction="inbound") == ["dflt", "always"]  # every key must match
    assert ids(queue="billing") == ["dflt", "always"]
    assert ids() == ["dflt", "always"]  # no metadata: the default card
    assert [c.id for c in applicable_scorecards(cards, None)] == ["dflt", "always"]
    assert ids(extra={"channel": "chat", "team": "team-b"}) == ["chat", "always"]
    assert ids(extra={"channel": "Voice", "team": "team-b"}) == ["dflt", "always"]  # channel missing = voice


def test_bundled_cards_score_the_sample_calls_by_queue():
    """The 10 sample calls: no collections card (no collections queue), sales for the outbound sales call."""
    meta, problems = read_manifest(samples_dir() / "calls" / "manifest.csv")
    assert not problems
    cards = load_scorecards()
    chosen = {Path(p).name[:4]: [c.id for c in applicable_scorecards(cards, m)] for p, m in meta.items()}
    assert len(chosen) == 10
    assert chosen.pop("sc06") == ["sales"]
    assert set(map(tuple, chosen.values())) == {("customer_service",)}
    collections = CallMetadata(queue="collections", direction="outbound")
    assert [c.id for c in applicable_scorecards(cards, collections)] == ["collections"]


def _analysis(meta: CallMetadata) -> CallAnalysis:
    conv, labs = build(GOOD_CALL)
    rec = Recording(path=Path("x.wav"), call_id=conv.call_id, file_sha256="0" * 64, size=1, metadata=meta)
    record = CallRecord(rec, "wav", 16000, 2, conv.duration_s, "stereo", 0, "faster-whisper", "tiny.en", "en", 0.9)
    return CallAnalysis(
        record=record, conversation=conv, labels=tuple(labs.values()) if isinstance(labs, dict) else tuple(labs)
    )


def test_score_stage_scores_only_the_applicable_cards():
    billing = score_stage(
        _analysis(CallMetadata(queue="billing", direction="inbound", started_at=datetime(2026, 1, 1)))
    )
    assert [s.scorecard_id for s in billing.scores] == ["customer_service"]
    assert not any(s.auto_failed for s in billing.scores)
    coll = score_stage(_analysis(CallMetadata(queue="collections", direction="inbound")))
    assert [s.scorecard_id for s in coll.scores] == ["collections"]
    # rescoring (no record): every card asked for
    conv, labs = build(GOOD_CALL)
    bare = score_stage(CallAnalysis(None, conv, labels=tuple(labs.values()) if isinstance(labs, dict) else tuple(labs)))
    assert [s.scorecard_id for s in bare.scores] == ["collections", "customer_service", "sales"]
