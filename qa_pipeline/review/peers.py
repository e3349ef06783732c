"""Peers to learn from: top performers and best calls on a criterion, for the coach pages.

For each of an agent's weakest criteria, on the same scorecard and in the same
period (never pooling different scorecards):

* top performers: other agents with at least ``min_applicable`` applicable
  final verdicts on the criterion and a pass rate above the coached agent's,
  best rate first (ties: more applicable calls, then name);
* best calls: recent calls of other agents where the criterion passed and the
  engine kept an evidence utterance; calls of the listed top performers come
  first, at most one call per agent. Each carries the utterance that passed the
  criterion (the ``match`` one when the engine marked it, else the one with the
  highest label score) so the page can link to that moment (``/calls/ID#u-IDX``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb

from qa_pipeline.review.verdicts import FINAL_VERDICTS_SQL

_AT = "COALESCE(c.started_at, c.created_at)"


@dataclass(frozen=True)
class Peer:
    agent_id: str
    agent_name: str
    passed: int
    applicable: int

    @property
    def rate(self) -> float:
        return self.passed / self.applicable


@dataclass(frozen=True)
class BestCall:
    call_id: str
    agent_id: str
    agent_name: str
    at: datetime
    reason: str
    idx: int  # the evidence utterance that passed the criterion
    speaker: str
    start_s: float
    text: str


@dataclass(frozen=True)
class SkillPeers:
    criterion_id: str
    top: list[Peer]
    best_calls: list[BestCall]


def _period(since: date, until: date | None) -> tuple[str, list[Any]]:
    sql = f"CAST({_AT} AS DATE) >= ?" + (f" AND CAST({_AT} AS DATE) <= ?" if until else "")
    return sql, [since] + ([until] if until else [])


def passing_utterance(evidence: Any) -> dict[str, Any] | None:
    """The evidence utterance that passed a criterion: the engine's ``match``, else the highest label score."""
    try:
        ev = json.loads(evidence) if isinstance(evidence, str) else (evidence or {})
    except ValueError:
        return None
    utts = [u for u in (ev.get("utterances") or []) if isinstance(u, dict) and "idx" in u]
    if not utts:
        return None
    matches = [u for u in utts if u.get("role") == "match"]
    if matches:
        return matches[0]
    return max(utts, key=lambda u: max((float(x) for x in (u.get("scores") or {}).values()), default=-1.0))


def _top(
    con: duckdb.DuckDBPyConnection,
    fv: str,
    params: list[Any],
    agent_id: str,
    own: dict[str, float],
    min_applicable: int,
    n_top: int,
) -> dict[str, list[Peer]]:
    rows = con.execute(
        f"""SELECT v.criterion_id, c.agent_id, COALESCE(max(c.agent_name), c.agent_id),
                   count(*) FILTER (WHERE v.final_verdict = 'pass') AS passed,
                   count(*) FILTER (WHERE v.final_verdict IN ('pass', 'fail')) AS applicable
            {fv} AND c.agent_id IS NOT NULL AND c.agent_id <> ? AND v.criterion_id IN (SELECT unnest(?))
            GROUP BY 1, 2 HAVING applicable >= ?""",
        [*params, agent_id, list(own), min_applicable],
    ).fetchall()
    top: dict[str, list[Peer]] = {cid: [] for cid in own}
    for cid, aid, name, passed, applicable in rows:
        p = Peer(aid, name, int(passed), int(applicable))
        if p.rate > own[cid]:
            top[cid].append(p)
    for cid, peers in top.items():
        peers.sort(key=lambda p: (-p.rate, -p.applicable, p.agent_name, p.agent_id))
        top[cid] = peers[:n_top]
    return top


def skill_peers(
    con: duckdb.DuckDBPyConnection,
    agent_id: str,
    scorecard_id: str,
    own_rates: dict[str, float],
    since: date,
    until: date | None = None,
    *,
    min_applicable: int = 3,
    n_top: int = 3,
    n_calls: int = 2,
) -> dict[str, SkillPeers]:
    """Top performers and best calls of other agents for each criterion in ``own_rates``
    (criterion id -> the coached agent's pass rate on it), on ``scorecard_id`` in ``[since, until]``."""
    if not own_rates:
        return {}
    period, pparams = _period(since, until)
    fv = f"""FROM ({FINAL_VERDICTS_SQL}) v JOIN calls c ON c.call_id = v.call_id
             WHERE v.scorecard_id = ? AND {period}"""
    params = [scorecard_id, *pparams]
    top = _top(con, fv, params, agent_id, own_rates, min_applicable, n_top)
    rows = con.execute(
        f"""SELECT v.criterion_id, v.call_id, c.agent_id, COALESCE(c.agent_name, c.agent_id), {_AT} AS at,
                   v.reason, v.evidence
            {fv} AND c.agent_id IS NOT NULL AND c.agent_id <> ? AND v.criterion_id IN (SELECT unnest(?))
                 AND v.final_verdict = 'pass' AND COALESCE(json_array_length(v.evidence, '$.utterances'), 0) > 0
            QUALIFY row_number() OVER (PARTITION BY v.criterion_id, c.agent_id ORDER BY {_AT} DESC, v.call_id) <= 3
            ORDER BY 5 DESC, 2""",
        [*params, agent_id, list(own_rates)],
    ).fetchall()
    out: dict[str, SkillPeers] = {}
    for cid in own_rates:
        rank = {p.agent_id: i for i, p in enumerate(top[cid])}
        chosen: list[BestCall] = []
        seen: set[str] = set()
        for _, call_id, aid, name, at, reason, evidence in sorted(
            (r for r in rows if r[0] == cid), key=lambda r: rank.get(r[2], len(rank))
        ):
            u = passing_utterance(evidence)
            if u is None or aid in seen:
                continue
            seen.add(aid)
            chosen.append(
                BestCall(
                    call_id,
                    aid,
                    name,
                    at,
                    reason,
                    int(u["idx"]),
                    str(u.get("speaker", "")),
                    float(u.get("start_s") or 0.0),
                    str(u.get("text", "")),
                )
            )
            if len(chosen) >= n_calls:
                break
        out[cid] = SkillPeers(cid, top[cid], chosen)
    return out
