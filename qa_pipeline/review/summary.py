"""Per-agent coaching summary: score trend, pass rates against the team, weakest skills, example calls.

One function, :func:`agent_summary`, feeds the coach page, the CSV/Parquet
export and the self-contained HTML report, so all three say the same thing.

Definitions (documented in docs/review.md):

* period: calls whose ``started_at`` (else ingest time) falls in
  ``[since, until]``; one scorecard at a time (default: the one the agent was
  scored with most in the period);
* team: every call scored with that scorecard in the period, all agents;
* verdicts are final verdicts (reviewers' overrides applied); pass rate =
  passes / (passes + fails), N/A excluded; a section's pass rate pools its
  criteria;
* weakest skills: criteria with at least ``min_applicable`` applicable results
  and a pass rate below 100 %, lowest first (ties: biggest gap to the team);
  beside each, peers to learn from (:mod:`qa_pipeline.review.peers`);
* strengths: the other criteria with at least ``min_applicable`` applicable
  results and a pass rate above 0 %, highest first (ties: biggest lead over
  the team).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import duckdb

from qa_pipeline.errors import NotFoundError
from qa_pipeline.review.formatting import humanize_id
from qa_pipeline.review.peers import SkillPeers, skill_peers
from qa_pipeline.review.verdicts import FINAL_VERDICTS_SQL, Outline, outline

logger = logging.getLogger("qa_pipeline.review.summary")

_AT = "COALESCE(c.started_at, c.created_at)"


@dataclass(frozen=True)
class TrendPoint:
    bucket: date
    agent_avg: float | None
    agent_n: int
    team_avg: float | None
    team_n: int


@dataclass(frozen=True)
class RateRow:
    section_id: str
    criterion_id: str | None
    agent_passed: int
    agent_applicable: int
    team_passed: int
    team_applicable: int

    @property
    def agent_rate(self) -> float | None:
        return self.agent_passed / self.agent_applicable if self.agent_applicable else None

    @property
    def team_rate(self) -> float | None:
        return self.team_passed / self.team_applicable if self.team_applicable else None

    @property
    def gap(self) -> float | None:
        a, t = self.agent_rate, self.team_rate
        return None if a is None or t is None else a - t


@dataclass(frozen=True)
class EvidenceLine:
    idx: int
    speaker: str
    start_s: float
    text: str


@dataclass(frozen=True)
class Example:
    call_id: str
    at: datetime
    criterion_id: str
    verdict: str
    reason: str
    utterances: list[EvidenceLine]


@dataclass(frozen=True)
class AgentSummary:
    agent_id: str
    agent_name: str | None
    scorecard_id: str | None
    scorecard_title: str | None
    scorecards: list[str]
    since: date
    until: date | None
    bucket: str  # day | week
    n_calls: int
    avg_final: float | None
    avg_auto: float | None
    team_n_calls: int
    team_avg_final: float | None
    n_overridden: int
    trend: list[TrendPoint]
    sections: list[RateRow]
    criteria: list[RateRow]
    weakest: list[RateRow]
    examples: list[Example] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    outline: Outline = field(default_factory=Outline)
    strengths: list[RateRow] = field(default_factory=list)
    peers: dict[str, SkillPeers] = field(default_factory=dict)

    def criterion_name(self, ident: str | None) -> str:
        """Title of a criterion from the scorecard, else its id made readable."""
        return (self.outline.criterion_titles.get(ident or "") or humanize_id(ident)) if ident else "—"

    def section_name(self, ident: str | None) -> str:
        return (self.outline.section_titles.get(ident or "") or humanize_id(ident)) if ident else "—"


def agents(con: duckdb.DuckDBPyConnection, since: date | None = None) -> list[dict[str, Any]]:
    """Every agent with scored calls since ``since``: call count and the mean final score on the agent's
    own scorecard (the one scored most often; targeting gives each queue its card), never an average of
    different scorecards; ``scorecards`` counts the cards the agent was scored with."""
    where, params = (f"WHERE CAST({_AT} AS DATE) >= ?", [since]) if since else ("", [])
    cur = con.execute(
        f"""
        WITH base AS (
            SELECT c.call_id, c.agent_id, c.agent_name, {_AT} AS at, s.scorecard_id, s.final_score
            FROM calls c JOIN call_scores s ON s.call_id = c.call_id
            {where} {"AND" if where else "WHERE"} c.agent_id IS NOT NULL
        ), per_card AS (
            SELECT agent_id, scorecard_id, count(*) AS n, avg(final_score) AS avg_final FROM base GROUP BY 1, 2
        ), main AS (
            SELECT agent_id, scorecard_id, count(*) OVER (PARTITION BY agent_id) AS scorecards FROM per_card
            QUALIFY row_number() OVER (PARTITION BY agent_id ORDER BY n DESC, scorecard_id) = 1
        )
        SELECT b.agent_id, COALESCE(max(b.agent_name), b.agent_id) AS agent_name, count(DISTINCT b.call_id) AS calls,
               any_value(p.avg_final) AS avg_final, max(b.at) AS last_call,
               count(DISTINCT b.call_id) FILTER (WHERE f.call_id IS NOT NULL) AS flagged,
               any_value(m.scorecard_id) AS scorecard_id,
               COALESCE((SELECT max(k.title) FROM scorecards k WHERE k.scorecard_id = any_value(m.scorecard_id)),
                        any_value(m.scorecard_id)) AS scorecard_title,
               any_value(m.scorecards) AS scorecards
        FROM base b JOIN main m ON m.agent_id = b.agent_id
        JOIN per_card p ON p.agent_id = m.agent_id AND p.scorecard_id = m.scorecard_id
        LEFT JOIN (SELECT DISTINCT call_id FROM flags) f ON f.call_id = b.call_id
        GROUP BY b.agent_id ORDER BY agent_name, b.agent_id
        """,
        params,
    )
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def default_since(con: duckdb.DuckDBPyConnection, days: int = 90) -> date:
    """``days`` before the newest call in the database (today when it is empty)."""
    row = con.execute(f"SELECT max(CAST({_AT} AS DATE)) FROM calls c").fetchone()
    newest = row[0] if row and row[0] else date.today()
    return newest - timedelta(days=days)


def _rate_rows(rows: list[tuple], level: str) -> list[RateRow]:
    # rows: (section_id, criterion_id, is_agent, passed, applicable)
    acc: dict[tuple[str, str | None], list[int]] = {}
    for section_id, criterion_id, is_agent, passed, applicable in rows:
        key = (section_id, criterion_id if level == "criterion" else None)
        a = acc.setdefault(key, [0, 0, 0, 0])
        if is_agent:
            a[0] += passed
            a[1] += applicable
        a[2] += passed
        a[3] += applicable
    return [RateRow(k[0], k[1], *v) for k, v in acc.items()]


def _head_and_trend(
    con: duckdb.DuckDBPyConnection, base: str, bparams: list[Any], agent_id: str, bucket: str
) -> tuple[Any, list[TrendPoint]]:
    """Call counts and mean scores (agent, team) and the score trend per bucket."""
    head = con.execute(
        f"""SELECT count(*) FILTER (WHERE c.agent_id = ?), avg(s.final_score) FILTER (WHERE c.agent_id = ?),
                   avg(s.score) FILTER (WHERE c.agent_id = ?), count(*), avg(s.final_score)
            {base}""",
        [agent_id, agent_id, agent_id, *bparams],
    ).fetchone()
    trend = [
        TrendPoint(b, aa, int(an), ta, int(tn))
        for b, aa, an, ta, tn in con.execute(
            f"""SELECT CAST(date_trunc('{bucket}', {_AT}) AS DATE) AS b,
                       avg(s.final_score) FILTER (WHERE c.agent_id = ?), count(*) FILTER (WHERE c.agent_id = ?),
                       avg(s.final_score), count(*)
                {base} GROUP BY 1 ORDER BY 1""",
            [agent_id, agent_id, *bparams],
        ).fetchall()
    ]
    return head, trend


def _examples(
    con: duckdb.DuckDBPyConnection,
    fv: str,
    bparams: list[Any],
    agent_id: str,
    weakest: list[RateRow],
    examples_per_skill: int,
) -> list[Example]:
    """Recent failed calls of the agent for each weakest criterion, with their evidence lines."""
    examples: list[Example] = []
    for w in weakest:
        for call_id, at, verdict, reason, evidence in con.execute(
            f"""SELECT v.call_id, {_AT}, v.final_verdict, v.reason, v.evidence {fv}
                AND c.agent_id = ? AND v.criterion_id = ? AND v.final_verdict = 'fail'
                ORDER BY {_AT} DESC LIMIT ?""",
            [*bparams, agent_id, w.criterion_id, examples_per_skill],
        ).fetchall():
            try:
                ev = json.loads(evidence) if isinstance(evidence, str) else (evidence or {})
            except ValueError:
                ev = {}
            lines = [
                EvidenceLine(
                    int(u.get("idx", -1)),
                    str(u.get("speaker", "")),
                    float(u.get("start_s") or 0.0),
                    str(u.get("text", "")),
                )
                for u in (ev.get("utterances") or [])[:3]
                if isinstance(u, dict)
            ]
            examples.append(Example(call_id, at, w.criterion_id or "", verdict, reason, lines))

    return examples


def strengths(criteria: list[RateRow], weakest: list[RateRow], n: int = 3, min_applicable: int = 2) -> list[RateRow]:
    """The agent's best criteria for recognition: not among ``weakest``, at least ``min_applicable``
    applicable results, pass rate above 0; highest rate first, ties by the biggest lead over the team."""
    weak = {(w.section_id, w.criterion_id) for w in weakest}
    rows = [
        r
        for r in criteria
        if (r.section_id, r.criterion_id) not in weak
        and r.agent_applicable >= min_applicable
        and r.agent_rate is not None
        and r.agent_rate > 0
    ]
    rows.sort(key=lambda r: (-(r.agent_rate or 0.0), -(r.gap or 0.0), -r.agent_applicable))
    return rows[:n]


def _agent_calls(con: duckdb.DuckDBPyConnection, base: str, bparams: list[Any], agent_id: str) -> list[dict[str, Any]]:
    cur = con.execute(
        f"""SELECT c.call_id, {_AT} AS at, c.queue, s.scorecard_id, s.score, s.final_score, s.auto_failed,
                   (SELECT count(*) FROM reviews r WHERE r.call_id = c.call_id) > 0 AS reviewed
            {base} AND c.agent_id = ? ORDER BY 2""",
        [*bparams, agent_id],
    )
    cols = [d[0] for d in cur.description]
    calls = [dict(zip(cols, r)) for r in cur.fetchall()]

    return calls


def _pick_scorecard(
    con: duckdb.DuckDBPyConnection,
    agent_id: str,
    since: date,
    until: date | None,
    scorecard_id: str | None,
    period: str,
    pparams: list[Any],
) -> tuple[list[str], str | None, Any, str]:
    """The agent's scorecards (most used first), the one shown, its title row and the trend bucket."""
    scorecards = [
        r[0]
        for r in con.execute(
            f"SELECT s.scorecard_id FROM call_scores s JOIN calls c ON c.call_id = s.call_id"
            f" WHERE c.agent_id = ? AND {period} GROUP BY 1 ORDER BY count(*) DESC, 1",
            [agent_id, *pparams],
        ).fetchall()
    ]
    if scorecard_id is None or scorecard_id not in scorecards:
        scorecard_id = scorecards[0] if scorecards else None
    title_row = (
        con.execute("SELECT max(title) FROM scorecards WHERE scorecard_id = ?", [scorecard_id]).fetchone()
        if scorecard_id
        else None
    )
    newest = con.execute(
        f"SELECT min(CAST({_AT} AS DATE)), max(CAST({_AT} AS DATE)) FROM calls c JOIN call_scores s"
        f" ON s.call_id = c.call_id WHERE s.scorecard_id = ? AND {period}",
        [scorecard_id, *pparams],
    ).fetchone()
    span_days = ((until or (newest[1] if newest and newest[1] else since)) - since).days
    bucket = "day" if span_days <= 45 else "week"

    return scorecards, scorecard_id, title_row, bucket


def agent_summary(
    con: duckdb.DuckDBPyConnection,
    agent_id: str,
    since: date,
    until: date | None = None,
    scorecard_id: str | None = None,
    *,
    n_weakest: int = 3,
    min_applicable: int = 2,
    examples_per_skill: int = 2,
) -> AgentSummary:
    name_row = con.execute("SELECT max(agent_name), count(*) FROM calls WHERE agent_id = ?", [agent_id]).fetchone()
    if not name_row or name_row[1] == 0:
        raise NotFoundError(f"no calls for agent {agent_id!r}; see the agents listed on the coach page")
    agent_name = name_row[0]
    period = f"CAST({_AT} AS DATE) >= ?" + (f" AND CAST({_AT} AS DATE) <= ?" if until else "")
    pparams: list[Any] = [since] + ([until] if until else [])

    scorecards, scorecard_id, title_row, bucket = _pick_scorecard(
        con, agent_id, since, until, scorecard_id, period, pparams
    )

    empty = AgentSummary(
        agent_id,
        agent_name,
        scorecard_id,
        title_row[0] if title_row else None,
        scorecards,
        since,
        until,
        bucket,
        0,
        None,
        None,
        0,
        None,
        0,
        [],
        [],
        [],
        [],
    )
    if scorecard_id is None:
        return empty

    base = f"""
        FROM call_scores s JOIN calls c ON c.call_id = s.call_id
        WHERE s.scorecard_id = ? AND {period}
    """
    bparams = [scorecard_id, *pparams]
    head, trend = _head_and_trend(con, base, bparams, agent_id, bucket)
    fv = f"""
        FROM ({FINAL_VERDICTS_SQL}) v JOIN calls c ON c.call_id = v.call_id
        WHERE v.scorecard_id = ? AND {period}
    """
    counts = con.execute(
        f"""SELECT v.section_id, v.criterion_id, COALESCE(c.agent_id = ?, FALSE) AS is_agent,
                   count(*) FILTER (WHERE v.final_verdict = 'pass'),
                   count(*) FILTER (WHERE v.final_verdict IN ('pass', 'fail'))
            {fv} GROUP BY 1, 2, 3""",
        [agent_id, *bparams],
    ).fetchall()
    n_overridden = con.execute(
        f"SELECT count(*) {fv} AND c.agent_id = ? AND v.override_verdict IS NOT NULL AND v.override_verdict <> v.verdict",
        [*bparams, agent_id],
    ).fetchall()[0][0]

    version_row = con.execute(
        "SELECT source FROM scorecards WHERE scorecard_id = ? ORDER BY registered_at DESC LIMIT 1", [scorecard_id]
    ).fetchone()
    card = outline(version_row[0] if version_row else None)

    def key(r: RateRow) -> tuple:
        return (
            card.section_order.get(r.section_id, 10**6),
            r.section_id,
            card.criterion_order.get(r.criterion_id or "", 10**6),
            r.criterion_id or "",
        )

    sections = sorted(_rate_rows(counts, "section"), key=key)
    criteria = sorted(_rate_rows(counts, "criterion"), key=key)
    candidates = [
        r for r in criteria if r.agent_applicable >= min_applicable and r.agent_rate is not None and r.agent_rate < 1.0
    ]
    candidates.sort(key=lambda r: (r.agent_rate, r.gap if r.gap is not None else 0.0))
    weakest = candidates[:n_weakest]

    examples = _examples(con, fv, bparams, agent_id, weakest, examples_per_skill)
    peers = skill_peers(
        con,
        agent_id,
        scorecard_id,
        {w.criterion_id: w.agent_rate or 0.0 for w in weakest if w.criterion_id},
        since,
        until,
    )

    calls = _agent_calls(con, base, bparams, agent_id)

    return AgentSummary(
        agent_id,
        agent_name,
        scorecard_id,
        title_row[0] if title_row else scorecard_id,
        scorecards,
        since,
        until,
        bucket,
        int(head[0]),
        head[1],
        head[2],
        int(head[3]),
        head[4],
        int(n_overridden),
        trend,
        sections,
        criteria,
        weakest,
        examples,
        calls,
        card,
        strengths(criteria, weakest, min_applicable=min_applicable),
        peers,
    )


def summary_rows(s: AgentSummary) -> list[dict[str, Any]]:
    """The pass-rate table of a summary, flat, for CSV/Parquet export."""
    out = []
    for level, rows in (("section", s.sections), ("criterion", s.criteria)):
        for r in rows:
            out.append(
                {
                    "agent_id": s.agent_id,
                    "scorecard_id": s.scorecard_id,
                    "since": s.since,
                    "until": s.until,
                    "level": level,
                    "section_id": r.section_id,
                    "criterion_id": r.criterion_id,
                    "agent_passed": r.agent_passed,
                    "agent_applicable": r.agent_applicable,
                    "agent_pass_rate": r.agent_rate,
                    "team_passed": r.team_passed,
                    "team_applicable": r.team_applicable,
                    "team_pass_rate": r.team_rate,
                    "weakest": any(w.criterion_id == r.criterion_id for w in s.weakest) if r.criterion_id else False,
                }
            )
    return out
