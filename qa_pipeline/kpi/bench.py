"""``qa-pipeline bench kpi``: a synthetic database of N calls, then the time of the per-agent KPI roll-up,
the per-agent score summary, a full rebuild, and the per-call cost of keeping the roll-ups current."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np

from qa_pipeline.drivers_report import drivers_report, problem_statements
from qa_pipeline.kpi.rollup import keep_rollups, rebuild
from qa_pipeline.kpi.summary import kpi_summary, score_summary
from qa_pipeline.store.db import connect, transaction
from qa_pipeline.store.embeddings import DIM, quantise

AGENTS = 200
TEAMS = 20
QUEUES = 5
DAYS = 365
CRITERIA = 8


@dataclass(frozen=True)
class KpiBench:
    calls: int
    build_s: float
    rebuild_s: float
    kpi_by_agent_s: list[float]
    score_by_agent_s: list[float]
    scan_by_agent_s: float
    write_ms: list[float]
    write_plain_ms: list[float]
    rollup_rows: dict[str, int]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    drivers_query_s: list[float] = field(default_factory=list)
    drivers_statements: int = 0
    drivers_report_s: float | None = None  # the whole report from stored embeddings (None: not timed, too many calls)

    def as_text(self) -> str:
        med = statistics.median
        return "\n".join(
            [
                f"calls: {self.calls:,} ({AGENTS} agents, {TEAMS} teams, {QUEUES} queues, {DAYS} days, "
                f"{CRITERIA} criteria per call); roll-up rows: {self.rollup_rows}",
                f"build (synthetic rows, SQL): {self.build_s:.1f} s; kpi --rebuild: {self.rebuild_s:.2f} s",
                f"per-agent KPI roll-up: median {med(self.kpi_by_agent_s) * 1000:.1f} ms "
                f"(min {min(self.kpi_by_agent_s) * 1000:.1f}, max {max(self.kpi_by_agent_s) * 1000:.1f}, "
                f"{len(self.kpi_by_agent_s)} runs)",
                f"per-agent score summary: median {med(self.score_by_agent_s) * 1000:.1f} ms "
                f"(min {min(self.score_by_agent_s) * 1000:.1f}, max {max(self.score_by_agent_s) * 1000:.1f})",
                f"for comparison, the same per-agent figures by scanning every call: {self.scan_by_agent_s:.2f} s",
                f"per-call write, one call per transaction: {med(self.write_ms):.1f} ms with the roll-ups kept, "
                f"{med(self.write_plain_ms):.1f} ms without (median of {len(self.write_ms)})",
                f"drivers statement query (first 2 customer turns of {self.drivers_statements:,} calls): median "
                f"{med(self.drivers_query_s) * 1000:.1f} ms (min {min(self.drivers_query_s) * 1000:.1f}), "
                "vectors from the stored utterance embeddings",
                (
                    f"drivers report (query, stored vectors, k chosen by silhouette, names): {self.drivers_report_s:.2f} s"
                    if self.drivers_report_s is not None
                    else f"drivers report: not timed above {DRIVERS_REPORT_MAX_CALLS:,} calls"
                ),
                f"load average before {self.load_before[0]:.2f} {self.load_before[1]:.2f} {self.load_before[2]:.2f}, "
                f"after {self.load_after[0]:.2f} {self.load_after[1]:.2f} {self.load_after[2]:.2f}",
            ]
        )


def build_kpi_db(con: duckdb.DuckDBPyConnection, n: int, seed: int = 7) -> None:
    """Insert ``n`` synthetic complete calls with metrics, one scorecard's scores and criteria (no roll-ups)."""
    con.execute(f"SELECT setseed({(seed % 1000) / 1000})")
    con.execute(
        f"""INSERT INTO calls (call_id, source_path, file_sha256, duration_s, agent_id, team, queue, started_at,
                customer_ref, status, created_at, updated_at, csat, nps, wrap_s, transferred, hold_s)
            SELECT printf('b%015d', i), 'synthetic', 'x', 200 + (i * 7919) % 600, 'agent' || (i % {AGENTS}),
                   'team' || (i % {AGENTS}) % {TEAMS}, 'queue' || (i % {AGENTS}) % {QUEUES},
                   TIMESTAMP '2026-01-01' + to_seconds(CAST((i * 104729) % ({DAYS} * 86400) AS BIGINT)),
                   'cust' || (i * 2654435761) % {max(1, n * 2 // 3)}, 'complete', now(), now(),
                   CASE WHEN i % 4 = 0 THEN 1 + (i * 31) % 5 END, CASE WHEN i % 5 = 0 THEN (i * 17) % 11 END,
                   20 + i % 60, i % 23 = 0, CASE WHEN i % 3 = 0 THEN (i * 13) % 90 END
            FROM range({n}) t(i)"""
    )
    con.execute(
        """INSERT INTO call_metrics (call_id, handle_time_s, agent_talk_s, customer_talk_s, non_talk_s,
                first_agent_response_s, hold_s, metrics, computed_at)
           SELECT call_id, duration_s, duration_s * 0.5, duration_s * 0.35, duration_s * 0.15,
                  1 + (hash(call_id) % 40) / 10.0, (hash(call_id) % 3) * 20.0,
                  '{"hold_count": ' || hash(call_id) % 3 || '}', now()
           FROM calls"""
    )
    con.execute(
        """INSERT INTO call_scores SELECT call_id, 'bench', 'v1', s, s, s, 100, s < 20, [], s >= 70, now(), NULL
           FROM (SELECT call_id, (hash(call_id) % 101)::DOUBLE AS s FROM calls)"""
    )
    con.execute(
        f"""INSERT INTO criterion_results
           SELECT call_id, 'bench', 'v1', 's1', 'c' || k, 'label_present',
                  CASE WHEN hash(call_id || k) % 10 < 7 THEN 'pass' WHEN hash(call_id || k) % 10 < 9 THEN 'fail' ELSE 'na' END,
                  1, 1, FALSE, 'synthetic', '{{}}'
           FROM calls, range({CRITERIA}) r(k)"""
    )


SCAN_BY_AGENT = """
SELECT coalesce(c.agent_id, ''), count(*), avg(m.handle_time_s + coalesce(c.wrap_s, 0)), avg(m.first_agent_response_s),
       avg(coalesce(c.hold_s, m.hold_s)), avg(c.csat), avg(s.final_score)
FROM calls c LEFT JOIN call_metrics m USING (call_id) LEFT JOIN call_scores s USING (call_id)
WHERE c.status = 'complete' GROUP BY 1
"""


def _timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def run_kpi_bench(path: Path, n: int, *, repeat: int = 5, writes: int = 30) -> KpiBench:
    load_before = os.getloadavg()
    t = time.perf_counter()
    with connect(path) as con, transaction(con):
        build_kpi_db(con, n)
    build_s = time.perf_counter() - t
    with connect(path) as con:
        t = time.perf_counter()
        with transaction(con):
            rows = rebuild(con)
        rebuild_s = time.perf_counter() - t
        kpi_s = _timed(lambda: kpi_summary(con, "agent"), repeat)
        score_s = _timed(lambda: score_summary(con, "agent"), repeat)
        scan_s = min(_timed(lambda: con.execute(SCAN_BY_AGENT).fetchall(), 2))
        ids = [r[0] for r in con.execute(f"SELECT call_id FROM calls USING SAMPLE {writes} ROWS").fetchall()]
        write_ms: list[float] = []
        plain_ms: list[float] = []
        for k, call_id in enumerate(ids):
            for kept, bucket in ((True, write_ms), (False, plain_ms)):
                t = time.perf_counter()
                with transaction(con):
                    if kept:
                        with keep_rollups(con, [call_id]):
                            _one_write(con, call_id, k)
                    else:
                        _one_write(con, call_id, k)
                bucket.append((time.perf_counter() - t) * 1000)
        with transaction(con):  # the un-kept writes left the roll-ups behind: bring them back
            rebuild(con)
            add_driver_turns(con)
        drivers_s = _timed(lambda: problem_statements(con), repeat)
        statements = len(problem_statements(con))
        report_s = None
        if n <= DRIVERS_REPORT_MAX_CALLS:
            report_s = _timed(lambda: drivers_report(con, embed=_no_encoder), 1)[0]
    return KpiBench(
        n,
        build_s,
        rebuild_s,
        kpi_s,
        score_s,
        scan_s,
        write_ms,
        plain_ms,
        rows,
        load_before,
        os.getloadavg(),
        drivers_s,
        statements,
        report_s,
    )


DRIVERS_REPORT_MAX_CALLS = 100_000


def _no_encoder(texts: Sequence[str]) -> np.ndarray:
    raise AssertionError(f"bench kpi: {len(texts)} statements had no stored embedding")


PROBLEMS = (
    "I lost my debit card",
    "what is my account balance",
    "I need to change my address",
    "there is a charge I do not recognise",
    "I want to open a savings account",
    "my online banking password does not work",
)


def add_driver_turns(con: duckdb.DuckDBPyConnection) -> None:
    """Four utterances per call (agent, customer problem, agent, customer) for timing the drivers query."""
    cases = " ".join(f"WHEN {i} THEN '{p}'" for i, p in enumerate(PROBLEMS))
    con.execute(
        f"""INSERT INTO utterances (call_id, idx, speaker, start_s, end_s, text)
            SELECT call_id, k, CASE WHEN k % 2 = 0 THEN 'agent' ELSE 'customer' END, k * 4.0, k * 4.0 + 3.5,
                   CASE k WHEN 0 THEN 'thank you for calling' WHEN 2 THEN 'let me check that for you'
                          WHEN 3 THEN 'thanks' ELSE CASE hash(call_id) % {len(PROBLEMS)} {cases} END END
            FROM calls, range(4) r(k)"""
    )
    # stored sentence embeddings of the customer turns: per problem 50 noisy variants of one direction
    rng = np.random.default_rng(11)
    texts = [*PROBLEMS, "thanks"]
    base = rng.normal(size=(len(texts), DIM)).astype(np.float32)
    variants = base[:, None, :] + 0.6 * rng.normal(size=(len(texts), VARIANTS, DIM)).astype(np.float32)
    variants /= np.linalg.norm(variants, axis=2, keepdims=True)
    codes, scales = quantise(variants.reshape(-1, DIM))
    con.execute("CREATE TEMP TABLE bench_vectors (text VARCHAR, variant INTEGER, scale FLOAT, vec BLOB)")
    con.executemany(
        "INSERT INTO bench_vectors VALUES (?, ?, ?, ?)",
        [
            [texts[i // VARIANTS], i % VARIANTS, float(scales[i]), codes[i].tobytes()]
            for i in range(len(texts) * VARIANTS)
        ],
    )
    con.execute(
        f"""INSERT INTO utterance_embeddings
            SELECT u.call_id, u.idx, 'synthetic', v.scale, v.vec, now()
            FROM utterances u JOIN bench_vectors v ON v.text = u.text AND v.variant = hash(u.call_id) % {VARIANTS}
            WHERE u.speaker = 'customer'"""
    )
    con.execute("DROP TABLE bench_vectors")


VARIANTS = 50


def _one_write(con: duckdb.DuckDBPyConnection, call_id: str, k: int) -> None:
    """A call's typical write: its metadata and its score."""
    con.execute("UPDATE calls SET csat = ?, updated_at = now() WHERE call_id = ?", [1 + k % 5, call_id])
    con.execute("UPDATE call_scores SET final_score = ? WHERE call_id = ?", [float(k % 100), call_id])
