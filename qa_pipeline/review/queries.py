"""Reads behind the review pages: queue, call, calibration, run history.

Every query is parameterised; user input only ever reaches SQL as a bound
value, and the set of WHERE fragments is fixed here.  Each function takes an
open connection and returns plain frozen dataclasses / dicts, so the caller
can close the connection before rendering.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import duckdb

from qa_pipeline.errors import NotFoundError
from qa_pipeline.review.formatting import humanize_id
from qa_pipeline.review.verdicts import FINAL_VERDICTS_SQL, outline
from qa_pipeline.scorecard.agreement import criterion_agreement

logger = logging.getLogger("qa_pipeline.review.queries")

PAGE_SIZE = 50
SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1}
STATUSES = ("open", "reviewed", "all")


def _rows(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def _json(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return value
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- queue


@dataclass(frozen=True)
class QueueFilters:
    date_from: date | None = None
    date_to: date | None = None
    agent: str | None = None
    queue: str | None = None
    scorecard: str | None = None
    rule: str | None = None
    status: str = "open"
    page: int = 1

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> tuple[QueueFilters, list[str]]:
        """Filters from query parameters; bad values are dropped and reported."""
        errors: list[str] = []

        def text(name: str) -> str | None:
            v = (params.get(name) or "").strip()
            return v[:200] or None

        def day(name: str) -> date | None:
            v = text(name)
            if v is None:
                return None
            try:
                return date.fromisoformat(v)
            except ValueError:
                errors.append(f"'{v}' is not a date (use YYYY-MM-DD); the {name.replace('_', ' ')} filter was ignored")
                return None

        status = text("status") or "open"
        if status not in STATUSES:
            errors.append(f"unknown status '{status}'; showing open calls")
            status = "open"
        try:
            page = max(1, min(10_000, int(params.get("page") or 1)))
        except ValueError:
            page = 1
        return (
            cls(
                day("date_from"),
                day("date_to"),
                text("agent"),
                text("queue"),
                text("scorecard"),
                text("rule"),
                status,
                page,
            ),
            errors,
        )

    def as_params(self, **changes: Any) -> dict[str, str]:
        f = replace(self, **changes)
        out = {
            "date_from": f.date_from.isoformat() if f.date_from else "",
            "date_to": f.date_to.isoformat() if f.date_to else "",
            "agent": f.agent or "",
            "queue": f.queue or "",
            "scorecard": f.scorecard or "",
            "rule": f.rule or "",
            "status": f.status,
            "page": str(f.page),
        }
        return {k: v for k, v in out.items() if v and not (k == "page" and v == "1")}


def _queue_where(f: QueueFilters) -> tuple[str, list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if f.date_from:
        where.append("CAST(COALESCE(c.started_at, c.created_at) AS DATE) >= ?")
        params.append(f.date_from)
    if f.date_to:
        where.append("CAST(COALESCE(c.started_at, c.created_at) AS DATE) <= ?")
        params.append(f.date_to)
    if f.agent:
        where.append("c.agent_id = ?")
        params.append(f.agent)
    if f.queue:
        where.append("c.queue = ?")
        params.append(f.queue)
    if f.scorecard:
        where.append("EXISTS (SELECT 1 FROM call_scores s WHERE s.call_id = c.call_id AND s.scorecard_id = ?)")
        params.append(f.scorecard)
    if f.rule:
        where.append("EXISTS (SELECT 1 FROM flags f2 WHERE f2.call_id = c.call_id AND f2.rule_id = ?)")
        params.append(f.rule)
    if f.status == "open":
        where.append("rv.call_id IS NULL")
    elif f.status == "reviewed":
        where.append("rv.call_id IS NOT NULL")
    return (" AND ".join(where) or "TRUE"), params


_QUEUE_FROM = """
FROM (SELECT DISTINCT call_id FROM flags) fc
JOIN calls c ON c.call_id = fc.call_id
LEFT JOIN reviews rv ON rv.call_id = c.call_id
"""


@dataclass(frozen=True)
class QueuePage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    open_total: int


def review_queue(con: duckdb.DuckDBPyConnection, f: QueueFilters, page_size: int = PAGE_SIZE) -> QueuePage:
    where, params = _queue_where(f)
    total = con.execute(f"SELECT count(*) {_QUEUE_FROM} WHERE {where}", params).fetchall()[0][0]
    open_total = con.execute(f"SELECT count(*) {_QUEUE_FROM} WHERE rv.call_id IS NULL").fetchall()[0][0]
    pages = max(1, -(-total // page_size))
    page = min(f.page, pages)
    sql = f"""
    SELECT c.call_id, COALESCE(c.started_at, c.created_at) AS at, c.agent_id, c.agent_name, c.queue,
           c.duration_s, c.direction, rv.username AS reviewed_by, rv.reviewed_at,
           (SELECT list({{'rule': f.rule_id, 'reason': f.reason, 'severity': f.severity, 'scorecard': f.scorecard_id}}
                        ORDER BY CASE f.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, f.rule_id)
              FROM flags f WHERE f.call_id = c.call_id) AS flags,
           (SELECT max(CASE f.severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END)
              FROM flags f WHERE f.call_id = c.call_id) AS sev,
           (SELECT list({{'scorecard': s.scorecard_id, 'score': s.score, 'final': s.final_score,
                         'auto_failed': s.auto_failed,
                         'title': COALESCE((SELECT max(k.title) FROM scorecards k WHERE k.scorecard_id = s.scorecard_id),
                                           s.scorecard_id)}} ORDER BY s.scorecard_id)
              FROM call_scores s WHERE s.call_id = c.call_id) AS scores
    {_QUEUE_FROM}
    WHERE {where}
    ORDER BY (rv.call_id IS NULL) DESC, sev DESC, "at" DESC, c.call_id
    LIMIT ? OFFSET ?
    """
    rows = _rows(con.execute(sql, [*params, page_size, (page - 1) * page_size]))
    return QueuePage(rows, int(total), page, pages, int(open_total))


@dataclass(frozen=True)
class FilterOptions:
    agents: list[tuple[str, str]]
    queues: list[str]
    scorecards: list[tuple[str, str]]
    rules: list[str]


def filter_options(con: duckdb.DuckDBPyConnection) -> FilterOptions:
    agents = con.execute(
        "SELECT agent_id, COALESCE(max(agent_name), agent_id) FROM calls WHERE agent_id IS NOT NULL GROUP BY agent_id ORDER BY 2, 1"
    ).fetchall()
    queues = [
        r[0] for r in con.execute("SELECT DISTINCT queue FROM calls WHERE queue IS NOT NULL ORDER BY 1").fetchall()
    ]
    scorecards = con.execute(
        "SELECT DISTINCT s.scorecard_id, COALESCE((SELECT max(title) FROM scorecards k WHERE k.scorecard_id = s.scorecard_id),"
        " s.scorecard_id) FROM call_scores s ORDER BY 1"
    ).fetchall()
    rules = [r[0] for r in con.execute("SELECT DISTINCT rule_id FROM flags ORDER BY 1").fetchall()]
    return FilterOptions([tuple(a) for a in agents], queues, [tuple(s) for s in scorecards], rules)


# --------------------------------------------------------------------------- call page


@dataclass
class Criterion:
    scorecard_id: str
    section_id: str
    criterion_id: str
    kind: str
    verdict: str
    final_verdict: str
    overridden: bool
    points: float
    max_points: float
    auto_fail: bool
    reason: str
    evidence: dict[str, Any]
    evidence_idx: list[int] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    title: str = ""


@dataclass
class ScorecardView:
    scorecard_id: str
    title: str
    version: str
    score: float
    final_score: float
    auto_failed: bool
    auto_fail_reasons: list[str]
    passed: bool
    sections: list[dict[str, Any]]  # {section_id, weight, score, criteria: [Criterion]}


@dataclass
class CallView:
    call: dict[str, Any]
    utterances: list[dict[str, Any]]
    scorecards: list[ScorecardView]
    flags: list[dict[str, Any]]
    review: dict[str, Any] | None
    metrics: dict[str, Any] | None
    overrides: list[dict[str, Any]]
    evidence_by_utt: dict[int, list[dict[str, str]]]


def _text_segments(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[str, str | None]]:
    """Split stored text into plain pieces and redaction placeholders ``(piece, pii_type)``."""
    out: list[tuple[str, str | None]] = []
    pos = 0
    for start, end, pii in sorted(spans):
        if start < pos or start > len(text) or end > len(text) or end <= start:
            continue
        if start > pos:
            out.append((text[pos:start], None))
        out.append((text[start:end], pii))
        pos = end
    if pos < len(text):
        out.append((text[pos:], None))
    return out


def _utterances(con: duckdb.DuckDBPyConnection, call_id: str) -> list[dict[str, Any]]:
    """The call's utterances with labels, and their text cut into plain and redacted segments."""
    utts = _rows(
        con.execute(
            "SELECT u.idx, u.speaker, u.start_s, u.end_s, u.text, u.asr_confidence, u.channel,"
            " l.sentiment, l.sentiment_score, l.detected, l.label_scores"
            " FROM utterances u LEFT JOIN utterance_labels l ON l.call_id = u.call_id AND l.idx = u.idx"
            " WHERE u.call_id = ? ORDER BY u.idx",
            [call_id],
        )
    )
    spans: dict[int, list[tuple[int, int, str]]] = {}
    for idx, cs, ce, pii in con.execute(
        "SELECT idx, char_start, char_end, pii_type FROM redactions WHERE call_id = ? ORDER BY idx, span_no", [call_id]
    ).fetchall():
        spans.setdefault(idx, []).append((cs, ce, pii))
    for u in utts:
        u["segments"] = _text_segments(u["text"], spans.get(u["idx"], []))
        u["label_scores"] = _json(u["label_scores"]) or {}
        u["detected"] = list(u["detected"] or [])
    return utts


def _scorecard_view(
    con: duckdb.DuckDBPyConnection,
    s: dict[str, Any],
    title: str,
    source: str,
    history: dict[tuple[str, str], list[dict[str, Any]]],
    evidence_by_utt: dict[int, list[dict[str, str]]],
) -> ScorecardView:
    """One ``call_scores`` row as the call page shows it; adds the evidence tags to ``evidence_by_utt``."""
    call_id, sid = s["call_id"], s["scorecard_id"]
    card = outline(source)
    sections = _rows(
        con.execute(
            "SELECT section_id, weight, points, max_points, score FROM section_scores"
            " WHERE call_id = ? AND scorecard_id = ? ORDER BY section_id",
            [call_id, sid],
        )
    )
    crit_rows = _rows(
        con.execute(f"SELECT * FROM ({FINAL_VERDICTS_SQL}) WHERE call_id = ? AND scorecard_id = ?", [call_id, sid])
    )
    by_section: dict[str, list[Criterion]] = {}
    order: list[str] = [sec["section_id"] for sec in sections]
    for r in crit_rows:
        ev = _json(r["evidence"]) or {}
        idxs = [int(u["idx"]) for u in ev.get("utterances", []) if isinstance(u, dict) and "idx" in u]
        c = Criterion(
            sid,
            r["section_id"],
            r["criterion_id"],
            r["kind"],
            r["verdict"],
            r["final_verdict"],
            r["override_verdict"] is not None and r["override_verdict"] != r["verdict"],
            r["points"],
            r["max_points"],
            r["auto_fail"],
            r["reason"],
            ev,
            idxs,
            history.get((sid, r["criterion_id"]), []),
        )
        by_section.setdefault(r["section_id"], []).append(c)
        if r["section_id"] not in order:
            order.append(r["section_id"])
        for i in idxs:
            evidence_by_utt.setdefault(i, []).append(
                {
                    "criterion": card.criterion_titles.get(r["criterion_id"]) or humanize_id(r["criterion_id"]),
                    "verdict": r["final_verdict"],
                    "key": f"{sid}:{r['criterion_id']}",
                }
            )
    sec_meta = {sec["section_id"]: sec for sec in sections}
    order.sort(key=lambda x: (card.section_order.get(x, 1_000_000), x))
    for crits in by_section.values():
        crits.sort(key=lambda c: (card.criterion_order.get(c.criterion_id, 1_000_000), c.criterion_id))
        for c in crits:
            c.title = card.criterion_titles.get(c.criterion_id, "")
    return ScorecardView(
        sid,
        title,
        s["scorecard_version"],
        s["score"],
        s["final_score"],
        s["auto_failed"],
        list(s["auto_fail_reasons"] or []),
        s["passed"],
        [
            {
                "section_id": sec_id,
                "title": card.section_titles.get(sec_id, ""),
                "weight": sec_meta.get(sec_id, {}).get("weight"),
                "score": sec_meta.get(sec_id, {}).get("score"),
                "criteria": by_section.get(sec_id, []),
            }
            for sec_id in order
        ],
    )


def call_view(con: duckdb.DuckDBPyConnection, call_id: str) -> CallView:
    calls = _rows(con.execute("SELECT * FROM calls WHERE call_id = ?", [call_id]))
    if not calls:
        raise NotFoundError(f"no call {call_id!r}")
    call = calls[0]
    call["manifest_extra"] = _json(call.get("manifest_extra")) or {}
    utts = _utterances(con, call_id)
    overrides = _rows(
        con.execute(
            "SELECT override_id, scorecard_id, criterion_id, original_verdict, new_verdict, reason, username, created_at"
            " FROM overrides WHERE call_id = ? ORDER BY created_at, override_id",
            [call_id],
        )
    )
    history: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for o in overrides:
        history.setdefault((o["scorecard_id"], o["criterion_id"]), []).append(o)

    card_titles = dict(con.execute("SELECT scorecard_id, max(title) FROM scorecards GROUP BY 1").fetchall())
    sources = {
        (sid, ver): src
        for sid, ver, src in con.execute(
            "SELECT k.scorecard_id, k.version, k.source FROM scorecards k"
            " JOIN call_scores s ON s.scorecard_id = k.scorecard_id AND s.scorecard_version = k.version"
            " WHERE s.call_id = ?",
            [call_id],
        ).fetchall()
    }
    evidence_by_utt: dict[int, list[dict[str, str]]] = {}
    scorecards = [
        _scorecard_view(
            con,
            s,
            card_titles.get(s["scorecard_id"], s["scorecard_id"]),
            sources.get((s["scorecard_id"], s["scorecard_version"]), ""),
            history,
            evidence_by_utt,
        )
        for s in _rows(con.execute("SELECT * FROM call_scores WHERE call_id = ? ORDER BY scorecard_id", [call_id]))
    ]
    flags = _rows(
        con.execute(
            "SELECT rule_id, scorecard_id, reason, severity, created_at FROM flags WHERE call_id = ?"
            " ORDER BY CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, rule_id",
            [call_id],
        )
    )
    review = _rows(con.execute("SELECT username, reviewed_at, note FROM reviews WHERE call_id = ?", [call_id]))
    metrics = _rows(con.execute("SELECT * FROM call_metrics WHERE call_id = ?", [call_id]))
    return CallView(
        call,
        utts,
        scorecards,
        flags,
        review[0] if review else None,
        metrics[0] if metrics else None,
        overrides,
        evidence_by_utt,
    )


def redaction_spans(con: duckdb.DuckDBPyConnection, call_id: str) -> list[tuple[float, float]]:
    return [
        (float(a), float(b))
        for a, b in con.execute(
            "SELECT start_s, end_s FROM redactions WHERE call_id = ? AND start_s IS NOT NULL AND end_s IS NOT NULL ORDER BY start_s",
            [call_id],
        ).fetchall()
    ]


def recording_of(con: duckdb.DuckDBPyConnection, call_id: str) -> tuple[str, str | None]:
    """``(source_path, input_dir of the run that ingested it)`` of one call."""
    row = con.execute(
        "SELECT c.source_path, r.input_dir FROM calls c LEFT JOIN runs r ON r.run_id = c.run_id WHERE c.call_id = ?",
        [call_id],
    ).fetchone()
    if row is None:
        raise NotFoundError(f"no call {call_id!r}")
    return row[0], row[1]


# --------------------------------------------------------------------------- calibration

_CALIBRATION_BASE = f"""
SELECT fv.*, (fv.override_verdict IS NOT NULL OR rv.call_id IS NOT NULL) AS reviewed
FROM ({FINAL_VERDICTS_SQL}) fv LEFT JOIN reviews rv ON rv.call_id = fv.call_id
"""


def calibration(con: duckdb.DuckDBPyConnection, scorecard: str | None = None) -> list[dict[str, Any]]:
    """Per criterion: how often reviewed automatic verdicts were kept, and which way they were changed."""
    where, params = ("WHERE scorecard_id = ?", [scorecard]) if scorecard else ("", [])
    rows = _rows(
        con.execute(
            f"""
            SELECT scorecard_id, section_id, criterion_id, any_value(kind) AS kind,
                   count(*) AS results,
                   count(*) FILTER (WHERE verdict = 'fail') AS auto_fail_n,
                   count(*) FILTER (WHERE reviewed) AS reviewed,
                   count(*) FILTER (WHERE reviewed AND final_verdict = verdict) AS agreed,
                   count(*) FILTER (WHERE reviewed AND verdict = 'fail' AND final_verdict = 'pass') AS fail_to_pass,
                   count(*) FILTER (WHERE reviewed AND verdict = 'pass' AND final_verdict = 'fail') AS pass_to_fail,
                   count(*) FILTER (WHERE reviewed AND verdict <> final_verdict
                                    AND (verdict = 'na' OR final_verdict = 'na')) AS na_changed
            FROM ({_CALIBRATION_BASE}) {where}
            GROUP BY 1, 2, 3
            """,
            params,
        )
    )
    outlines = {
        sid: outline(src)
        for sid, src in con.execute(
            "SELECT scorecard_id, arg_max(source, registered_at) FROM scorecards GROUP BY 1"
        ).fetchall()
    }
    pairs: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for sid, cid, auto, final in con.execute(
        f"SELECT scorecard_id, criterion_id, verdict, final_verdict FROM ({_CALIBRATION_BASE}) {where} "
        f"{'AND' if where else 'WHERE'} reviewed",
        params,
    ).fetchall():
        pairs.setdefault((sid, cid), []).append((auto, final))
    for r in rows:
        # the same figures as `qa-pipeline bench agreement`, from the reviewers' final verdicts
        fig = criterion_agreement(r["criterion_id"], pairs.get((r["scorecard_id"], r["criterion_id"]), []))
        r["agreement"] = fig.agreement
        r["kappa"], r["pass_precision"], r["pass_recall"] = fig.kappa, fig.pass_precision, fig.pass_recall
        r["auto_fail_rate"] = r["auto_fail_n"] / r["results"] if r["results"] else None
        card = outlines.get(r["scorecard_id"]) or outline(None)
        r["title"] = card.criterion_titles.get(r["criterion_id"]) or humanize_id(r["criterion_id"])
        r["section_title"] = card.section_titles.get(r["section_id"]) or humanize_id(r["section_id"])
    rows.sort(
        key=lambda r: (
            r["agreement"] is None,
            r["agreement"] if r["agreement"] is not None else 0,
            r["scorecard_id"],
            r["criterion_id"],
        )
    )
    return rows


def calibration_cases(con: duckdb.DuckDBPyConnection, scorecard_id: str, criterion_id: str) -> list[dict[str, Any]]:
    """Reviewed results of one criterion, disagreements first, with the evidence values that decided them."""
    rows = _rows(
        con.execute(
            f"""
            SELECT b.call_id, b.verdict, b.final_verdict, b.reason, b.evidence, b.kind,
                   c.agent_id, c.agent_name, COALESCE(c.started_at, c.created_at) AS at,
                   (SELECT o.reason || ' (' || o.username || ')' FROM overrides o
                     WHERE o.call_id = b.call_id AND o.scorecard_id = b.scorecard_id AND o.criterion_id = b.criterion_id
                     ORDER BY o.created_at DESC, o.override_id DESC LIMIT 1) AS override_reason
            FROM ({_CALIBRATION_BASE}) b JOIN calls c ON c.call_id = b.call_id
            WHERE b.reviewed AND b.scorecard_id = ? AND b.criterion_id = ?
            ORDER BY (b.verdict = b.final_verdict), "at" DESC
            LIMIT 500
            """,
            [scorecard_id, criterion_id],
        )
    )
    for r in rows:
        ev = _json(r.pop("evidence")) or {}
        r["values"] = ev.get("values") or {}
    return rows


# --------------------------------------------------------------------------- runs


def run_history(con: duckdb.DuckDBPyConnection, limit: int = 100) -> list[dict[str, Any]]:
    runs = _rows(
        con.execute(
            "SELECT r.*, COALESCE(NULLIF(r.wall_s, 0), date_diff('millisecond', r.started_at, r.finished_at) / 1000.0)"
            " AS duration_s FROM runs r ORDER BY r.started_at DESC LIMIT ?",
            [limit],
        )
    )
    ids = [r["run_id"] for r in runs]
    failures: dict[str, list[dict[str, Any]]] = {}
    if ids:
        for f in _rows(
            con.execute(
                "SELECT run_id, source_path, call_id, stage, error_type, reason, occurred_at FROM failures"
                " WHERE run_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY occurred_at",
                [ids],
            )
        ):
            failures.setdefault(f["run_id"], []).append(f)
    for r in runs:
        r["failures"] = failures.get(r["run_id"], [])
    return runs


def orphan_failures(con: duckdb.DuckDBPyConnection, limit: int = 50) -> list[dict[str, Any]]:
    """Failures recorded outside any run (e.g. a one-off ``ingest``)."""
    return _rows(
        con.execute(
            "SELECT source_path, call_id, stage, error_type, reason, occurred_at FROM failures"
            " WHERE run_id IS NULL OR run_id NOT IN (SELECT run_id FROM runs) ORDER BY occurred_at DESC LIMIT ?",
            [limit],
        )
    )
