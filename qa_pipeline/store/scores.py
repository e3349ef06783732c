"""Reads and writes of metrics, scorecards, scores with evidence, and flags.

Writes are bulk: one ``DELETE`` and one ``INSERT … SELECT unnest(?)`` per
table for a whole batch of calls (DuckDB's ``executemany`` costs about half a
millisecond a row).  Reads for rescoring are likewise a few big queries for
a batch of calls, never one query per call.  Every function runs inside the
caller's connection (and transaction, for writes).
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from typing import Any, Iterable, Mapping, Sequence

import duckdb

from qa_pipeline.classify.result import UtteranceLabels
from qa_pipeline.conversation import Conversation, Utterance
from qa_pipeline.errors import NotFoundError
from qa_pipeline.metrics import CallMetrics
from qa_pipeline.scorecard.engine import CallScore, CriterionResult, SectionScore, apply_overrides
from qa_pipeline.scorecard.flags import Flag
from qa_pipeline.scorecard.loader import Scorecard, scorecard_messages
from qa_pipeline.store.db import utcnow

logger = logging.getLogger("qa_pipeline.store.scores")

try:  # orjson ships with Prefect; four to seven times faster on evidence and label scores
    import orjson as _orjson

    def dumps(obj: Any) -> str:
        return _orjson.dumps(obj, option=_orjson.OPT_NON_STR_KEYS).decode("utf-8")

    loads = _orjson.loads
except ImportError:  # pragma: no cover - plain json fallback
    def dumps(obj: Any) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

    loads = json.loads


# --------------------------------------------------------------------------- scorecards


def register_scorecard(con: duckdb.DuckDBPyConnection, card: Scorecard) -> bool:
    """Record this scorecard version with its YAML text; ``True`` when it was new."""
    row = con.execute(
        "SELECT 1 FROM scorecards WHERE scorecard_id = ? AND version = ?", [card.id, card.version]
    ).fetchone()
    if row is not None:
        return False
    con.execute(
        "INSERT INTO scorecards (scorecard_id, version, title, source, registered_at) VALUES (?, ?, ?, ?, ?)",
        [card.id, card.version, card.title, card.source, utcnow()],
    )
    logger.info("registered scorecard %s version %s", card.id, card.version)
    return True


def registered_scorecards(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, Any, int]]:
    """``(scorecard_id, version, title, registered_at, calls scored with it)`` for every stored version."""
    return [
        tuple(r)
        for r in con.execute(
            "SELECT k.scorecard_id, k.version, k.title, k.registered_at,"
            " (SELECT count(*) FROM call_scores s WHERE s.scorecard_id = k.scorecard_id"
            "  AND s.scorecard_version = k.version) FROM scorecards k ORDER BY 1, 4"
        ).fetchall()
    ]


_STORED_CARDS: dict[tuple[str, str], Scorecard | None] = {}


def stored_scorecard(con: duckdb.DuckDBPyConnection, scorecard_id: str, version: str) -> Scorecard | None:
    """The scorecard version as it was registered (parsed from ``scorecards.source``), cached."""
    key = (scorecard_id, version)
    if key not in _STORED_CARDS:
        row = con.execute(
            "SELECT source FROM scorecards WHERE scorecard_id = ? AND version = ?", [scorecard_id, version]
        ).fetchone()
        card = None
        if row is not None:
            card, messages = scorecard_messages(row[0], f"scorecards table: {scorecard_id}@{version}")
            if card is None:
                logger.warning("stored scorecard %s@%s no longer validates: %s", scorecard_id, version, "; ".join(messages))
        _STORED_CARDS[key] = card
    return _STORED_CARDS[key]


# --------------------------------------------------------------------------- metrics


def write_metrics(con: duckdb.DuckDBPyConnection, call_id: str, metrics: CallMetrics) -> None:
    """Insert or replace the ``call_metrics`` row of one call."""
    if metrics.call_id != call_id:
        raise ValueError(f"metrics of call {metrics.call_id!r} passed for call {call_id!r}")
    write_metrics_many(con, [metrics])


def write_metrics_many(con: duckdb.DuckDBPyConnection, metrics: Sequence[CallMetrics]) -> int:
    """Insert or replace the ``call_metrics`` rows of these calls (one statement per table)."""
    if not metrics:
        return 0
    ids = [m.call_id for m in metrics]
    con.execute("DELETE FROM call_metrics WHERE call_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
    now = utcnow()
    cols = [
        ids,
        [m.handle_time_s for m in metrics],
        [m.agent_talk_s for m in metrics],
        [m.customer_talk_s for m in metrics],
        [m.agent_talk_ratio for m in metrics],
        [m.non_talk_s for m in metrics],
        [m.longest_silence_s for m in metrics],
        [m.overtalk_s for m in metrics],
        [m.agent_interruptions for m in metrics],
        [m.customer_interruptions for m in metrics],
        [m.agent_wpm for m in metrics],
        [m.first_agent_response_s for m in metrics],
        [m.hold_s for m in metrics],
        [m.customer_sentiment_start for m in metrics],
        [m.customer_sentiment_end for m in metrics],
        [dumps(m.to_dict()) for m in metrics],
    ]
    con.execute(
        """INSERT INTO call_metrics (call_id, handle_time_s, agent_talk_s, customer_talk_s, agent_talk_ratio,
               non_talk_s, longest_silence_s, overtalk_s, agent_interruptions, customer_interruptions, agent_wpm,
               first_agent_response_s, hold_s, customer_sentiment_start, customer_sentiment_end, metrics, computed_at)
           SELECT unnest(?::VARCHAR[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]),
                  unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]),
                  unnest(?::INTEGER[]), unnest(?::INTEGER[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]),
                  unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::VARCHAR[])::JSON, ?""",
        cols + [now],
    )
    return len(ids)


# --------------------------------------------------------------------------- scores


def _delete_scores(con: duckdb.DuckDBPyConnection, pairs: Iterable[tuple[str, str]]) -> None:
    by_card: dict[str, list[str]] = defaultdict(list)
    for call_id, scorecard_id in pairs:
        by_card[scorecard_id].append(call_id)
    for scorecard_id, ids in by_card.items():
        for table in ("criterion_results", "section_scores", "call_scores"):
            con.execute(
                f"DELETE FROM {table} WHERE scorecard_id = ? AND call_id IN (SELECT unnest(?::VARCHAR[]))",
                [scorecard_id, ids],
            )


def write_scores(
    con: duckdb.DuckDBPyConnection,
    results: Sequence[CallScore],
    final_scores: Mapping[tuple[str, str], float] | None = None,
) -> int:
    """Replace ``call_scores``, ``section_scores`` and ``criterion_results`` of these (call, scorecard) pairs.

    ``final_scores`` maps ``(call_id, scorecard_id)`` to the score with
    reviewers' overrides applied; missing pairs get the automatic score.
    """
    if not results:
        return 0
    final_scores = final_scores or {}
    _delete_scores(con, ((r.call_id, r.scorecard_id) for r in results))
    now = utcnow()
    con.execute(
        """INSERT INTO call_scores (call_id, scorecard_id, scorecard_version, score, final_score, points, max_points,
               auto_failed, auto_fail_reasons, passed, scored_at)
           SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::DOUBLE[]),
                  unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::BOOLEAN[]),
                  unnest(?::VARCHAR[][]), unnest(?::BOOLEAN[]), ?""",
        [
            [r.call_id for r in results],
            [r.scorecard_id for r in results],
            [r.scorecard_version for r in results],
            [r.score for r in results],
            [final_scores.get((r.call_id, r.scorecard_id), r.score) for r in results],
            [r.points for r in results],
            [r.max_points for r in results],
            [r.auto_failed for r in results],
            [list(r.auto_fail_reasons) for r in results],
            [r.passed for r in results],
            now,
        ],
    )
    sec: list[list[Any]] = [[] for _ in range(7)]
    for r in results:
        for s in r.sections:
            for col, v in zip(sec, (r.call_id, r.scorecard_id, s.section_id, s.weight, s.points, s.max_points, s.score)):
                col.append(v)
    con.execute(
        """INSERT INTO section_scores (call_id, scorecard_id, section_id, weight, points, max_points, score)
           SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::DOUBLE[]),
                  unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[])""",
        sec,
    )
    crit: list[list[Any]] = [[] for _ in range(12)]
    for r in results:
        for c in r.criteria:
            for col, v in zip(crit, (
                r.call_id, r.scorecard_id, r.scorecard_version, c.section_id, c.criterion_id, c.kind, c.verdict,
                c.points, c.max_points, c.auto_fail, c.reason, dumps(c.evidence),
            )):
                col.append(v)
    con.execute(
        """INSERT INTO criterion_results (call_id, scorecard_id, scorecard_version, section_id, criterion_id, kind,
               verdict, points, max_points, auto_fail, reason, evidence)
           SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),
                  unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::DOUBLE[]),
                  unnest(?::DOUBLE[]), unnest(?::BOOLEAN[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[])::JSON""",
        crit,
    )
    return len(results)


def write_score(con: duckdb.DuckDBPyConnection, call_id: str, result: CallScore) -> float:
    """Replace one call's rows for one scorecard, as the nightly run does; returns the final score.

    Registers the scorecard version (when it was loaded in this process) and
    re-applies the call's existing overrides by criterion id, so a call scored
    again keeps its reviewers' decisions.
    """
    if result.call_id != call_id:
        raise ValueError(f"score of call {result.call_id!r} passed for call {call_id!r}")
    ensure_registered(con, result.scorecard_id, result.scorecard_version)
    overrides = latest_overrides(con, [result.scorecard_id], [call_id])
    finals, _, _ = final_scores_with_overrides([result], overrides)
    write_scores(con, [result], finals)
    return finals.get((call_id, result.scorecard_id), result.score)


def ensure_registered(con: duckdb.DuckDBPyConnection, scorecard_id: str, version: str) -> None:
    """Record a scorecard version in ``scorecards`` if this process loaded it and the table lacks it."""
    from qa_pipeline.scorecard.loader import loaded_scorecard

    card = loaded_scorecard(scorecard_id, version)
    if card is not None:
        register_scorecard(con, card)
    elif con.execute(
        "SELECT 1 FROM scorecards WHERE scorecard_id = ? AND version = ?", [scorecard_id, version]
    ).fetchone() is None:
        logger.warning("scorecard %s@%s is not registered and its source is unknown here", scorecard_id, version)


def previous_scores(con: duckdb.DuckDBPyConnection, scorecard_id: str, call_ids: Sequence[str]) -> dict[str, tuple[float, str]]:
    """``call_id -> (score, scorecard_version)`` stored now for these calls."""
    if not call_ids:
        return {}
    return {
        r[0]: (r[1], r[2])
        for r in con.execute(
            "SELECT call_id, score, scorecard_version FROM call_scores WHERE scorecard_id = ?"
            " AND call_id IN (SELECT unnest(?::VARCHAR[]))",
            [scorecard_id, list(call_ids)],
        ).fetchall()
    }


# --------------------------------------------------------------------------- overrides


_LATEST_OVERRIDES = """
SELECT call_id, scorecard_id, criterion_id, new_verdict FROM (
    SELECT call_id, scorecard_id, criterion_id, new_verdict, row_number() OVER (
        PARTITION BY call_id, scorecard_id, criterion_id ORDER BY created_at DESC, override_id DESC) AS rn
    FROM overrides WHERE {where}
) WHERE rn = 1
"""


def latest_overrides(
    con: duckdb.DuckDBPyConnection, scorecard_ids: Sequence[str], call_ids: Sequence[str]
) -> dict[tuple[str, str], dict[str, str]]:
    """``(call_id, scorecard_id) -> {criterion_id: newest override verdict}`` for these calls."""
    if not call_ids or not scorecard_ids:
        return {}
    out: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    sql = _LATEST_OVERRIDES.format(
        where="scorecard_id IN (SELECT unnest(?::VARCHAR[])) AND call_id IN (SELECT unnest(?::VARCHAR[]))"
    )
    for call_id, scorecard_id, criterion_id, verdict in con.execute(sql, [list(scorecard_ids), list(call_ids)]).fetchall():
        out[(call_id, scorecard_id)][criterion_id] = verdict
    return dict(out)


def final_scores_with_overrides(
    results: Sequence[CallScore], overrides: Mapping[tuple[str, str], Mapping[str, str]]
) -> tuple[dict[tuple[str, str], float], int, int]:
    """``(finals, overrides applied, overrides naming a criterion the new result lacks)``."""
    finals: dict[tuple[str, str], float] = {}
    applied = ignored = 0
    for r in results:
        ovr = overrides.get((r.call_id, r.scorecard_id))
        if not ovr:
            continue
        known = {c.criterion_id for c in r.criteria}
        applied += sum(1 for cid in ovr if cid in known)
        ignored += sum(1 for cid in ovr if cid not in known)
        finals[(r.call_id, r.scorecard_id)] = apply_overrides(r, ovr).score
    return finals, applied, ignored


def stored_call_score(con: duckdb.DuckDBPyConnection, call_id: str, scorecard_id: str) -> CallScore:
    """Rebuild the automatic :class:`CallScore` of one call from its stored rows."""
    head = con.execute(
        "SELECT scorecard_version, score, points, max_points, auto_failed, auto_fail_reasons, passed"
        " FROM call_scores WHERE call_id = ? AND scorecard_id = ?",
        [call_id, scorecard_id],
    ).fetchone()
    if head is None:
        raise NotFoundError(f"call {call_id!r} has no score for scorecard {scorecard_id!r}; score it first")
    version, score, points, max_points, auto_failed, reasons, passed = head
    card = stored_scorecard(con, scorecard_id, version)
    nominal: dict[str, tuple[float, bool, str]] = {}
    titles: dict[str, str] = {}
    threshold = 0.0
    if card is not None:
        threshold = card.spec.pass_threshold
        for s in card.spec.sections:
            titles[s.id] = s.title or s.id
            for c in s.criteria:
                nominal[c.id] = (float(c.points), bool(c.auto_fail), c.title)
    sections = tuple(
        SectionScore(sid, titles.get(sid, sid), w, p, m, sc)
        for sid, w, p, m, sc in con.execute(
            "SELECT section_id, weight, points, max_points, score FROM section_scores"
            " WHERE call_id = ? AND scorecard_id = ?",
            [call_id, scorecard_id],
        ).fetchall()
    )
    criteria = []
    for sid, cid, kind, verdict, pts, mx, af, reason, evidence in con.execute(
        "SELECT section_id, criterion_id, kind, verdict, points, max_points, auto_fail, reason, evidence"
        " FROM criterion_results WHERE call_id = ? AND scorecard_id = ?",
        [call_id, scorecard_id],
    ).fetchall():
        ev = loads(evidence) if isinstance(evidence, (str, bytes)) else (evidence or {})
        nom_points, capable, title = nominal.get(cid, (float(ev.get("nominal_points", mx) or mx), bool(af), ""))
        criteria.append(CriterionResult(sid, cid, kind, verdict, pts, mx, nom_points, bool(af), capable or bool(af), reason, ev, title))
    return CallScore(
        call_id, scorecard_id, version, float(score), float(points), float(max_points), bool(auto_failed),
        tuple(reasons or ()), bool(passed), threshold, sections, tuple(criteria),
    )


def recompute_final_score(con: duckdb.DuckDBPyConnection, call_id: str, scorecard_id: str) -> float:
    """Apply the newest override of each criterion to the stored result; write and return ``final_score``.

    Runs in the caller's connection/transaction; call it after inserting an
    override.  The automatic verdicts and score are not changed.
    """
    result = stored_call_score(con, call_id, scorecard_id)
    ovr = latest_overrides(con, [scorecard_id], [call_id]).get((call_id, scorecard_id), {})
    final = apply_overrides(result, ovr).score if ovr else result.score
    con.execute(
        "UPDATE call_scores SET final_score = ? WHERE call_id = ? AND scorecard_id = ?", [final, call_id, scorecard_id]
    )
    return final


# --------------------------------------------------------------------------- flags


def write_flags(con: duckdb.DuckDBPyConnection, call_id: str, flags: Sequence[Flag]) -> int:
    """Replace every flag of one call with ``flags``."""
    wrong = [f for f in flags if f.call_id != call_id]
    if wrong:
        raise ValueError(f"flag of call {wrong[0].call_id!r} passed for call {call_id!r}")
    return replace_flags(con, flags, [call_id])


def replace_flags(
    con: duckdb.DuckDBPyConnection,
    flags: Sequence[Flag],
    call_ids: Sequence[str],
    scorecard_ids: Sequence[str] | None = None,
) -> int:
    """Replace the flags of these calls in bulk.

    ``scorecard_ids=None`` replaces every flag of the calls; otherwise only
    flags whose ``scorecard_id`` is in the list (``''`` = call-level rules).
    """
    if call_ids:
        if scorecard_ids is None:
            con.execute("DELETE FROM flags WHERE call_id IN (SELECT unnest(?::VARCHAR[]))", [list(call_ids)])
        else:
            con.execute(
                "DELETE FROM flags WHERE call_id IN (SELECT unnest(?::VARCHAR[]))"
                " AND scorecard_id IN (SELECT unnest(?::VARCHAR[]))",
                [list(call_ids), list(scorecard_ids)],
            )
    if not flags:
        return 0
    con.execute(
        """INSERT INTO flags (call_id, rule_id, scorecard_id, reason, severity, created_at)
           SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),
                  unnest(?::VARCHAR[]), ?""",
        [
            [f.call_id for f in flags], [f.rule_id for f in flags], [f.scorecard_id for f in flags],
            [f.reason for f in flags], [f.severity for f in flags], utcnow(),
        ],
    )
    return len(flags)


# --------------------------------------------------------------------------- bulk reads for rescoring


def scorable_call_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Calls that can be scored from storage: complete, or with stored labels."""
    return [
        r[0]
        for r in con.execute(
            "SELECT call_id FROM calls WHERE status = 'complete'"
            " OR call_id IN (SELECT DISTINCT call_id FROM utterance_labels) ORDER BY call_id"
        ).fetchall()
    ]


def read_calls_bulk(
    con: duckdb.DuckDBPyConnection, call_ids: Sequence[str]
) -> list[tuple[Conversation, dict[int, UtteranceLabels]]]:
    """Conversations and labels of many calls in three queries.

    Word timings are not read (scoring and metrics do not use them), so
    ``Utterance.words`` is empty.
    """
    if not call_ids:
        return []
    ids = list(call_ids)
    calls = con.execute(
        "SELECT call_id, duration_s, language, queue, channel FROM calls WHERE call_id IN (SELECT unnest(?::VARCHAR[]))", [ids]
    ).fetchall()
    utts: dict[str, list[Utterance]] = defaultdict(list)
    for call_id, idx, speaker, start_s, end_s, text, conf, channel in con.execute(
        "SELECT call_id, idx, speaker, start_s, end_s, text, asr_confidence, channel FROM utterances"
        " WHERE call_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY call_id, idx",
        [ids],
    ).fetchall():
        utts[call_id].append(
            Utterance(idx, speaker, start_s, end_s, text, (), conf if conf is not None else 1.0, channel)
        )
    labs: dict[str, dict[int, UtteranceLabels]] = defaultdict(dict)
    # detected comes back joined with commas (label names are lower_snake_case): converting a
    # VARCHAR[] per row costs more than the whole rest of the query
    for call_id, idx, sentiment, sscore, scores, detected in con.execute(
        "SELECT call_id, idx, sentiment, sentiment_score, label_scores, array_to_string(detected, ',')"
        " FROM utterance_labels WHERE call_id IN (SELECT unnest(?::VARCHAR[]))",
        [ids],
    ).fetchall():
        labs[call_id][idx] = UtteranceLabels(
            idx, sentiment, sscore, loads(scores) if isinstance(scores, (str, bytes)) else (scores or {}),
            tuple(detected.split(",")) if detected else (),
        )
    order = {cid: i for i, cid in enumerate(ids)}
    out = []
    for call_id, duration, language, queue, channel in sorted(calls, key=lambda r: order[r[0]]):
        conv = Conversation(call_id, tuple(utts.get(call_id, ())), float(duration or 0.0), language or "en",
                            timed=channel != "chat", queue=queue)
        out.append((conv, labs.get(call_id, {})))
    return out
