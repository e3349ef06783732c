"""Rescoring leaves rows that come out the same in place, and keeps everything else as a full rewrite would.

A rescore computes every call again; score rows whose digest (``call_scores.rows_digest``) is unchanged,
metrics rows with the same values and flags with the same content are not deleted and inserted again, and
the KPI roll-ups are kept over the calls that changed only.  Every call is still counted, overrides are
re-applied, ``scored_at`` moves on, and the roll-ups stay equal to a rebuild.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from qa_pipeline.devtools.synthetic import build_synthetic_db
from qa_pipeline.kpi.rollup import rebuild
from qa_pipeline.metrics import compute_metrics
from qa_pipeline.paths import scorecards_dir
from qa_pipeline.rescore import chunk_bounds, rescore
from qa_pipeline.scorecard import find_scorecard, load_scorecard
from qa_pipeline.scorecard.loader import compile_topic
from qa_pipeline.store.bulk import read_calls_bulk, scorable_call_ids
from qa_pipeline.store.codec import dumps
from qa_pipeline.store.db import connect, transaction, utcnow
from qa_pipeline.store.metrics import current_metrics, metrics_row, stored_metrics_rows
from qa_pipeline.store.scores import evidence_texts, score_digest

N = 80
ROLLUPS = ("kpi_daily", "score_daily", "criterion_daily")
SCORE_TABLES = ("call_scores", "section_scores", "criterion_results")


@pytest.fixture
def scored(db_path: Path) -> Path:
    build_synthetic_db(db_path, N, seed=11)
    rescore(db_path, "customer_service", chunk_size=32)
    return db_path


def _rows(db: Path, table: str, drop: tuple[str, ...] = ()) -> list[tuple]:
    with connect(db, read_only=True) as con:
        cols = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall() if c[0] not in drop]
        return con.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY ALL").fetchall()


def _rounded(rows: list[tuple]) -> list[list]:
    return [[round(x, 6) if isinstance(x, float) else x for x in r] for r in rows]


def _assert_rollups_equal_a_rebuild(db: Path) -> None:
    kept = {t: _rounded(_rows(db, t)) for t in ROLLUPS}
    with connect(db) as con, transaction(con):
        rebuild(con)
    assert kept == {t: _rounded(_rows(db, t)) for t in ROLLUPS}


def test_unchanged_calls_are_left_in_place_but_counted(scored: Path) -> None:
    before = {t: _rows(scored, t, ("scored_at",)) for t in SCORE_TABLES}
    metrics_before = _rows(scored, "call_metrics", ("computed_at",))
    flags_before = _rows(scored, "flags")
    stamp_before = _rows(scored, "call_scores")[0]
    summary = rescore(scored, "customer_service", chunk_size=32)
    assert summary.calls == N and summary.rewritten == 0 and summary.changed == 0
    assert summary.flags == len(flags_before)
    assert {t: _rows(scored, t, ("scored_at",)) for t in SCORE_TABLES} == before
    assert _rows(scored, "call_metrics", ("computed_at",)) == metrics_before
    assert _rows(scored, "flags") == flags_before  # unchanged flags keep their created_at
    stamp_after = _rows(scored, "call_scores")[0]
    with connect(scored, read_only=True) as con:
        cols = [c[0] for c in con.execute("DESCRIBE call_scores").fetchall()]
    at = cols.index("scored_at")
    assert stamp_after[at] > stamp_before[at]  # every rescored call's scored_at moves on
    with connect(scored, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM call_scores WHERE rows_digest IS NULL").fetchone()[0] == 0
    _assert_rollups_equal_a_rebuild(scored)


def test_overrides_and_edited_rows_are_caught(scored: Path) -> None:
    with connect(scored) as con, transaction(con):
        call_id, old = con.execute(
            "SELECT call_id, verdict FROM criterion_results WHERE criterion_id = 'greeting' AND verdict = 'pass'"
            " ORDER BY call_id LIMIT 1"
        ).fetchone()
        # an override written straight into the table (final_score not updated): the rescore re-applies it
        con.execute(
            "INSERT INTO overrides VALUES ('o1', ?, 'customer_service', 'greeting', ?, 'fail', 't', 'reviewer', ?)",
            [call_id, old, utcnow()],
        )
        rebuild(con)
        # rows edited behind the store's back: a metrics value, and a score row written without a digest
        con.execute("UPDATE call_metrics SET agent_wpm = -1 WHERE call_id = (SELECT min(call_id) FROM call_metrics)")
        con.execute("UPDATE call_scores SET rows_digest = NULL WHERE call_id = (SELECT max(call_id) FROM call_scores)")
        con.execute("DELETE FROM flags WHERE call_id IN (SELECT call_id FROM flags LIMIT 1)")
        n_flags = con.execute("SELECT count(*) FROM flags").fetchone()[0]
    summary = rescore(scored, "customer_service", chunk_size=32)
    assert summary.rewritten == 1 and summary.overrides_applied == 1
    with connect(scored, read_only=True) as con:
        score, final = con.execute(
            "SELECT score, final_score FROM call_scores WHERE call_id = ? ", [call_id]
        ).fetchone()
        assert final < score
        assert con.execute("SELECT count(*) FROM call_metrics WHERE agent_wpm = -1").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM flags").fetchone()[0] == n_flags + 1
    _assert_rollups_equal_a_rebuild(scored)


def test_a_changed_scorecard_rewrites_every_call_and_keeps_rollups(scored: Path, tmp_path: Path) -> None:
    text = (scorecards_dir() / "customer_service.yaml").read_text()
    changed = text.replace("pass_threshold: 80", "pass_threshold: 95").replace(
        "within_first_s: 30\n        points: 5", "within_first_s: 5\n        points: 7"
    )
    assert changed != text
    path = tmp_path / "customer_service.yaml"
    path.write_text(changed)
    card = load_scorecard(path)
    summary = rescore(scored, scorecard=card, chunk_size=32)
    assert summary.rewritten == N and summary.calls == N
    with connect(scored, read_only=True) as con:
        assert con.execute("SELECT DISTINCT scorecard_version FROM criterion_results").fetchall() == [(card.version,)]
    _assert_rollups_equal_a_rebuild(scored)
    # and back to the bundled card: rewritten again, and equal to the first scoring
    again = rescore(scored, "customer_service", chunk_size=50)
    assert again.rewritten == N
    _assert_rollups_equal_a_rebuild(scored)


def test_a_new_version_that_changes_no_verdict_rewrites_rows_but_no_rollup(scored: Path) -> None:
    from dataclasses import replace

    card = find_scorecard("customer_service")
    kept = {t: _rows(scored, t) for t in ROLLUPS}
    summary = rescore(scored, scorecard=replace(card, version=card.version + "-renamed"), chunk_size=32)
    assert summary.rewritten == N and summary.changed == 0 and summary.rolled_up == 0
    assert {t: _rows(scored, t) for t in ROLLUPS} == kept
    _assert_rollups_equal_a_rebuild(scored)


def test_a_changed_verdict_is_rolled_up_for_that_call_only(scored: Path, tmp_path: Path) -> None:
    text = (scorecards_dir() / "customer_service.yaml").read_text()
    changed = text.replace("within_first_s: 30\n        points: 5", "within_first_s: 5\n        points: 5")
    assert changed != text
    path = tmp_path / "customer_service.yaml"
    path.write_text(changed)
    with connect(scored, read_only=True) as con:
        greeting_before = dict(
            con.execute("SELECT call_id, verdict FROM criterion_results WHERE criterion_id = 'greeting'").fetchall()
        )
    summary = rescore(scored, scorecard=load_scorecard(path), chunk_size=32)
    with connect(scored, read_only=True) as con:
        greeting_after = dict(
            con.execute("SELECT call_id, verdict FROM criterion_results WHERE criterion_id = 'greeting'").fetchall()
        )
    moved = {c for c, v in greeting_after.items() if greeting_before.get(c) != v}
    assert summary.rewritten == N and 0 < summary.rolled_up < N
    assert summary.rolled_up >= len(moved) > 0
    _assert_rollups_equal_a_rebuild(scored)


def test_score_digest_sees_every_stored_value(scored: Path) -> None:
    card = find_scorecard("customer_service")
    from dataclasses import replace

    from qa_pipeline.records import CallAnalysis
    from qa_pipeline.scorecard import load_flag_rules
    from qa_pipeline.stages import score_stage

    with connect(scored, read_only=True) as con:
        conv, labs = read_calls_bulk(con, scorable_call_ids(con)[:1])[0]
        stored = con.execute("SELECT rows_digest FROM call_scores WHERE call_id = ?", [conv.call_id]).fetchone()[0]
    result = score_stage(CallAnalysis(None, conv, labels=tuple(labs.values())), [card], load_flag_rules()).scores[0]
    assert score_digest(result) == stored
    texts = evidence_texts(result)  # the evidence JSON made once, as the rescore passes it
    assert score_digest(result, texts) == stored
    assert score_digest(result, [texts[0].replace("}", ',"x":1}', 1), *texts[1:]]) != stored
    crit = result.criteria[0]
    edited = replace(result, criteria=(replace(crit, evidence={**crit.evidence, "x": 1}), *result.criteria[1:]))
    assert score_digest(edited) != stored
    assert score_digest(replace(result, scorecard_version="other")) != stored
    sec = result.sections[0]
    assert score_digest(replace(result, sections=(replace(sec, weight=sec.weight + 1), *result.sections[1:]))) != stored


def test_metrics_to_dict_is_asdict(scored: Path) -> None:
    with connect(scored, read_only=True) as con:
        calls = read_calls_bulk(con, scorable_call_ids(con))
    for conv, labs in calls:
        m = compute_metrics(conv, labs)
        expected = asdict(m)
        for key in (
            "customer_sentiment_quarters",
            "agent_sentiment_quarters",
            "customer_start_idx",
            "customer_end_idx",
        ):
            expected[key] = list(getattr(m, key))
        assert dumps(m.to_dict()) == dumps(expected)
        assert json.loads(dumps(m.to_dict())) == json.loads(dumps(expected))


@pytest.mark.parametrize(
    ("phrases", "patterns"),
    [
        (["balance is", "pay", "check book", "card ending in"], []),
        (["pay", "bill"], [r"\[(ACCOUNT|CARD)\]"]),
        ([], [r"^thanks", r"bye$"]),  # anchored patterns: no joined-text shortcut
        (["café", "pay"], [r"\d{4}"]),  # a non-ASCII phrase: the per-utterance path
        ([], [r"thanks\s+bye", r"\bpay\b", r"x*"]),  # matches across the joined texts' newlines: undecided
        ([], [r"\bpay\b", r"(?i)CARD\]"]),
    ],
)
def test_topic_match_many_equals_matches(phrases: list[str], patterns: list[str]) -> None:
    topic = compile_topic(phrases, patterns)
    texts = [
        "Your BALANCE  is [ACCOUNT].",
        "payment\tdue on the bill",
        "repay bill_pay pay",
        "café pay",
        "PIN: 1234",
        "balance-is",
        "pay.",
        "_pay",
        "check  book",
        "check\nbook",
        "",
        "[card]",
        "thanks, bye",
        "no thanks",
        "card ending in 12",
        "Pay",
        "thanks",
        "bye",
        "é pay",
    ]
    norm = [" ".join(t.split()).lower() for t in texts]
    assert topic.match_many(norm, texts) == [topic.matches(n, t) for n, t in zip(norm, texts)]
    for n, t in zip(norm, texts):
        assert topic.match_many([n], [t]) == [topic.matches(n, t)]


def test_scores_removed_by_targeting_leave_the_rollups_equal_a_rebuild(scored: Path) -> None:
    with connect(scored) as con, transaction(con):
        con.execute(
            "UPDATE calls SET queue = 'collections-eu' WHERE call_id IN (SELECT call_id FROM calls ORDER BY call_id LIMIT 5)"
        )
        rebuild(con)  # the queue was changed behind the store's back: bring the roll-ups up to date
    summary = rescore(scored, "customer_service", chunk_size=32)
    assert summary.not_applicable == 5 and summary.removed == 5 and summary.calls == N - 5
    with connect(scored, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM call_scores").fetchone()[0] == N - 5
    _assert_rollups_equal_a_rebuild(scored)


def test_lazy_label_scores_read_like_the_parsed_dicts(scored: Path) -> None:
    from qa_pipeline.store.bulk import LazyLabelScores

    with connect(scored, read_only=True) as con:
        ids = scorable_call_ids(con)[:5]
        eager = read_calls_bulk(con, ids)
        lazy = read_calls_bulk(con, ids, lazy_label_scores=True)
    assert [c for c, _ in eager] == [c for c, _ in lazy]
    for (_, a), (_, b) in zip(eager, lazy):
        assert a == b  # UtteranceLabels equal field by field, the lazy mapping equal to the dict
        for idx, lab in b.items():
            assert isinstance(lab.labels, LazyLabelScores)
            d = a[idx].labels
            assert dict(lab.labels) == d and len(lab.labels) == len(d) and list(lab.labels) == list(d)
            name = next(iter(d))
            assert lab.labels[name] == d[name] and lab.labels.get(name) == d[name] and name in lab.labels
            assert lab.labels.get("no such label", 0.0) == 0.0 and "no such label" not in lab.labels
            assert lab.labels.as_dict() is lab.labels.as_dict()  # parsed once
            assert dumps(lab.labels.as_dict()) == dumps(d)


def test_one_connection_held_across_chunks_writes_the_same_rows_and_lets_go_of_the_file(
    scored: Path, tmp_path: Path
) -> None:
    """A connection kept for every chunk (hold_s large) and one closed after every chunk (hold_s 0) write the
    same rows; either way the changes are in the file afterwards (no write-ahead log left) and the file is free."""
    import shutil

    card = find_scorecard("customer_service")
    edited = card.__class__(card.spec, card.version + "-edited", card.source, card.path, card.topics)
    other = tmp_path / "other.duckdb"
    shutil.copy(scored, other)
    held = rescore(scored, scorecard=edited, chunk_size=16, hold_s=1e9)
    reopened = rescore(other, scorecard=edited, chunk_size=16, hold_s=0)
    assert held.rewritten == reopened.rewritten == N
    for table in (*SCORE_TABLES, "flags", *ROLLUPS):
        drop = ("scored_at", "created_at", "computed_at")
        assert _rows(scored, table, drop) == _rows(other, table, drop), table
    for db in (scored, other):
        assert not Path(f"{db}.wal").exists()
        with connect(db) as con:  # nothing holds the file any more; the setting was put back
            assert con.execute("SELECT current_setting('checkpoint_threshold')").fetchone()[0] == "16.0 MiB"


def test_a_failed_write_stops_the_rescore_keeps_the_chunks_written_and_frees_the_file(
    scored: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks are written on a second thread while the next is scored: a write that fails (here the third)
    is raised to the caller, the chunks written before it stay, the one that failed is rolled back, and the
    file is free afterwards."""
    import qa_pipeline.rescore as rescore_module

    real = rescore_module._write_chunk
    calls: list[int] = []

    def failing_third(*args, **kwargs):  # the real write, except the third chunk's
        calls.append(len(calls))
        if len(calls) == 3:
            raise RuntimeError("disk went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(rescore_module, "_write_chunk", failing_third)
    card = find_scorecard("customer_service")
    edited = card.__class__(card.spec, card.version + "-edited", card.source, card.path, card.topics)
    with pytest.raises(RuntimeError, match="disk went away"):
        rescore(scored, scorecard=edited, chunk_size=16, hold_s=1e9)
    assert len(calls) == 3  # nothing written after the failure
    with connect(scored) as con:
        versions = dict(
            con.execute("SELECT scorecard_version, count(*) FROM call_scores GROUP BY 1 ORDER BY 1").fetchall()
        )
    assert versions == {card.version: N - 32, edited.version: 32}


@pytest.mark.parametrize(
    ("n", "size"), [(0, 10), (1, 5), (10, 3), (2000, 2000), (2001, 2000), (10_000, 2000), (9_000, 2000)]
)
def test_chunks_cover_every_call_once_and_the_last_ones_shrink(n: int, size: int) -> None:
    bounds = chunk_bounds(n, size)
    covered = [i for a, b in bounds for i in range(a, b)]
    assert covered == list(range(n))
    assert all(0 < b - a <= size for a, b in bounds)
    if n >= size >= 8:  # the write nothing overlaps (the last chunk's) is an eighth of a chunk
        assert bounds[-1][1] - bounds[-1][0] == size // 8
    assert chunk_bounds(10_000, 2000) == [
        (0, 2000), (2000, 4000), (4000, 6000), (6000, 8000),
        (8000, 9000), (9000, 9500), (9500, 9750), (9750, 10_000),
    ]  # fmt: skip


def test_stored_metrics_are_reused_while_their_inputs_are_unchanged(scored: Path) -> None:
    with connect(scored, read_only=True) as con:
        ids = scorable_call_ids(con)
        reused = current_metrics(con, ids)  # the first scoring recorded what each call's metrics came from
        calls = read_calls_bulk(con, ids)
    assert set(reused) == set(ids)
    assert all(reused[conv.call_id] == compute_metrics(conv, labs) for conv, labs in calls)
    # a label changed (as reclassify writes them), a transcript changed, a metrics row edited by hand
    with connect(scored) as con, transaction(con):
        con.execute(
            "UPDATE utterance_labels SET sentiment = 'negative', sentiment_score = 0.9 WHERE call_id = ? AND idx = 1",
            [ids[0]],
        )
        con.execute("UPDATE utterances SET text = text || ' again and again' WHERE call_id = ? AND idx = 0", [ids[1]])
        con.execute("UPDATE call_metrics SET hold_s = 99 WHERE call_id = ?", [ids[2]])
        rebuild(con)  # edited behind the store's back: bring the roll-ups up to date with them
    with connect(scored, read_only=True) as con:
        assert set(current_metrics(con, ids)) == set(ids[3:])
    card = find_scorecard("customer_service")
    from dataclasses import replace

    rescore(scored, scorecard=replace(card, version="edited"), chunk_size=32)
    with connect(scored, read_only=True) as con:
        calls = read_calls_bulk(con, ids)
        rows = stored_metrics_rows(con, ids)
        assert set(current_metrics(con, ids)) == set(ids)  # the three computed again are recorded too
    for conv, labs in calls:  # every row is what computing it from the stored call gives
        assert rows[conv.call_id] == metrics_row(compute_metrics(conv, labs))
    _assert_rollups_equal_a_rebuild(scored)


def test_a_new_metrics_version_computes_every_call_again(scored: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("qa_pipeline.store.metrics.METRICS_VERSION", 2)
    with connect(scored, read_only=True) as con:
        ids = scorable_call_ids(con)
        assert current_metrics(con, ids) == {}
    rescore(scored, "customer_service", chunk_size=32)
    with connect(scored, read_only=True) as con:
        assert set(current_metrics(con, ids)) == set(ids)
