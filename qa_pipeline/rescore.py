"""Re-score stored calls with a scorecard, from stored utterances and labels (no audio).

Calls are processed in chunks.  For each chunk: read the chunk's metadata
(targeting), calls, utterances and labels; compute metrics, scores and flags in
memory; in one transaction, read the newest overrides, replace the chunk's score
rows and flags.  One connection serves the chunks for at most ``hold_s`` seconds
(:data:`DEFAULT_HOLD_S`), then is closed — which writes the changes into the
file (a DuckDB checkpoint) and lets the review workspace in to write overrides: the
file stays closed until every process waiting for it has opened it
(:func:`~qa_pipeline.store.waiting.let_waiters_in`) — and opened again.  Closing after
every chunk cost a checkpoint per chunk: a third of a changed card's rescore.  Overrides
are read inside the write transaction, so none is missed, and they are re-applied by
criterion id (``final_score``).
While chunk N is written (on a second connection to the same open database, on one writer thread),
chunk N+1 is read and scored: most of a write is DuckDB's own work, done without Python's GIL.  The
chunks are written one at a time and in order; a failed write is raised and nothing after it is written.

Every call is scored again, but rows that come out as stored are not deleted and
inserted again: a call's score rows are rewritten only when their digest
(``call_scores.rows_digest``, :func:`~qa_pipeline.store.scores.score_digest`) differs —
otherwise only ``final_score`` (overrides re-applied) and ``scored_at`` are set —,
``call_metrics`` rows only when a value differs (else ``computed_at`` is set), flags
only when a call's set of flags differs (unchanged flags keep their ``created_at``),
and the KPI roll-ups are kept over the calls whose roll-up inputs changed (score, final score, passed,
auto-failed, the criteria's verdicts: :func:`~qa_pipeline.store.scores.rollup_inputs`; or the metrics) — a new
card version that changes no verdict rewrites every call's rows but no roll-up.

Targeting (:mod:`qa_pipeline.scorecard.targeting`) decides which calls the card
scores, read from each call's stored metadata against the other active cards (a
default card scores only the calls no targeted card applies to): calls the card
applies to are scored; the card's stale scores and flags on calls it no longer
applies to are removed.  Reviewers' overrides are never deleted (they come back
into force if the card applies again).

Metrics do not depend on the card: a call's stored metrics are used as they are while what they were
computed from is unchanged (its utterances, labels, row and :data:`~qa_pipeline.metrics.METRICS_VERSION`:
:func:`~qa_pipeline.store.metrics.current_metrics`); the others' are computed again and ``call_metrics``
rewritten with them (after a ``reclassify`` the customer-sentiment metrics change with the labels).  Flags of
this scorecard and the score-derived call-level flags of the re-scored calls are
replaced with those of the current flag rules; flags about the call's input
(``metadata_missing``: :data:`qa_pipeline.stages.INPUT_FLAGS`) are kept.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import duckdb

from qa_pipeline.errors import NotFoundError, StoreError
from qa_pipeline.kpi.rollup import keep_rollups
from qa_pipeline.metrics import CallMetrics
from qa_pipeline.records import CallAnalysis, CallScore, Flag
from qa_pipeline.scorecard.flags import FlagRules, load_flag_rules
from qa_pipeline.scorecard.loader import Scorecard, find_scorecard, load_scorecards
from qa_pipeline.scorecard.overrides import final_scores_with_overrides
from qa_pipeline.scorecard.targeting import applicable_scorecards
from qa_pipeline.stages import INPUT_FLAGS, spine
from qa_pipeline.store.bulk import read_calls_bulk, read_metadata_bulk, scorable_call_ids
from qa_pipeline.store.db import connect, transaction
from qa_pipeline.store.flags import replace_flags
from qa_pipeline.store.metrics import (
    current_metrics,
    metrics_row,
    set_inputs_digests,
    stored_metrics_rows,
    touch_metrics,
    write_metrics_rows,
)
from qa_pipeline.store.overrides import latest_overrides
from qa_pipeline.store.scorecards import register_scorecard
from qa_pipeline.store.scores import (
    delete_scores,
    evidence_texts,
    previous_score_state,
    rollup_inputs,
    score_digest,
    stored_rollup_inputs,
    touch_scores,
    write_scores,
)
from qa_pipeline.store.waiting import let_waiters_in

logger = logging.getLogger("qa_pipeline.rescore")

DEFAULT_CHUNK = 2000
# Seconds one connection is kept across chunks: the review workspace waits for the file up to its busy
# timeout (15 s by default), so a reviewer's click waits at most this long plus one chunk's read, score
# and write (the writer thread closes the connection after the write in flight, once the next chunk is read).
DEFAULT_HOLD_S = 5.0


@dataclass(frozen=True)
class RescoreSummary:
    scorecard_id: str
    version: str
    previous_versions: tuple[str, ...]
    calls: int
    changed: int
    auto_failed: int
    passed: int
    mean_score: float | None
    overrides_applied: int
    overrides_ignored: int
    flags: int
    not_applicable: int  # calls the card does not apply to (targeting): not scored
    removed: int  # of those, calls whose stale score of this card was removed
    rewritten: int  # scored calls whose score rows changed (rewritten); the others' rows were left in place
    rolled_up: int  # calls whose KPI roll-up contribution changed (the roll-ups were kept over these only)
    read_s: float
    score_s: float
    write_s: float  # on the writer thread, overlapping the next chunk's read and score
    wall_s: float

    @property
    def calls_per_s(self) -> float:
        return self.calls / self.wall_s if self.wall_s > 0 else 0.0

    def as_text(self) -> str:
        prev = ", ".join(self.previous_versions) or "none"
        mean = f"{self.mean_score:.1f}" if self.mean_score is not None else "-"
        return (
            f"rescored {self.calls} call(s) with {self.scorecard_id}@{self.version} (previous versions: {prev})\n"
            f"  score changed on {self.changed}; passed {self.passed}; auto-failed {self.auto_failed}; mean score {mean}\n"
            f"  overrides re-applied {self.overrides_applied} (ignored, criterion gone: {self.overrides_ignored}); "
            f"flags written {self.flags}\n"
            f"  score rows rewritten on {self.rewritten} (the rest unchanged, left in place); "
            f"not applicable (targeting) {self.not_applicable}; stale scores removed {self.removed}; "
            f"roll-ups changed by {self.rolled_up}\n"
            f"  {self.wall_s:.2f} s wall (read {self.read_s:.2f} s, score {self.score_s:.2f} s; "
            f"write {self.write_s:.2f} s on the writer thread, overlapping them)"
            f" = {self.calls_per_s:,.0f} calls/s"
        )


def _scorecard(scorecard_id: str | None, scorecard: Scorecard | None, directory: str | Path | None) -> Scorecard:
    """``scorecard`` when given (its id must match ``scorecard_id``), else the file with that id in ``directory``."""
    if scorecard is None:
        if scorecard_id is None:
            raise NotFoundError("name the scorecard to rescore with (--scorecard ID)")
        return find_scorecard(scorecard_id, directory)
    if scorecard_id is not None and scorecard_id != scorecard.id:
        raise NotFoundError(f"scorecard file has id {scorecard.id!r}, not {scorecard_id!r}")
    return scorecard


def _replace_call_flags(con: duckdb.DuckDBPyConnection, scorecard_id: str, flags: list[Flag], ids: list[str]) -> int:
    """Replace this card's flags and the score-derived call-level flags of ``ids``; input flags stay.

    Calls whose flags come out the same are left alone.  Returns the card's flags in force now."""
    old: dict[str, set[tuple[str, str, str, str]]] = {}
    keep: list[Flag] = []
    for call_id, rule_id, card_id, reason, severity in con.execute(
        "SELECT call_id, rule_id, scorecard_id, reason, severity FROM flags"
        " WHERE scorecard_id IN (?, '') AND call_id IN (SELECT unnest(?::VARCHAR[]))",
        [scorecard_id, ids],
    ).fetchall():
        old.setdefault(call_id, set()).add((rule_id, card_id, reason, severity))
        if card_id == "" and rule_id in INPUT_FLAGS:
            keep.append(Flag(call_id, rule_id, card_id, reason, severity))
    fresh = [f for f in flags if not (f.scorecard_id == "" and f.rule_id in INPUT_FLAGS)]
    new: dict[str, list[Flag]] = {}
    for f in keep + fresh:
        new.setdefault(f.call_id, []).append(f)
    changed = [
        c
        for c in ids
        if old.get(c, set()) != {(f.rule_id, f.scorecard_id, f.reason, f.severity) for f in new.get(c, ())}
    ]
    if changed:
        replace_flags(con, [f for c in changed for f in new.get(c, ())], changed, [scorecard_id, ""])
    return len(fresh)


@dataclass(frozen=True)
class _Written:
    before: dict[str, tuple[float, str, float, str | None]]  # call -> stored (score, version, final, digest)
    applied: int
    ignored: int
    flags: int
    removed: int
    rewritten: int  # calls whose score rows were deleted and inserted again (the rest were unchanged)
    rolled_up: int  # calls whose roll-up contribution changed


class _HeldConnection:
    """A read-write connection kept open across chunks for at most ``hold_s`` seconds.

    While it is held, DuckDB's automatic checkpoint is put off (``checkpoint_threshold``): the changes
    stay in the write-ahead log and are written into the file once, when the connection closes.
    """

    def __init__(self, db: str | Path, hold_s: float) -> None:
        self.db = db
        self.hold_s = hold_s
        self._stack: ExitStack | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._writer: duckdb.DuckDBPyConnection | None = None
        self._opened = 0.0

    def expired(self) -> bool:
        """Whether the connection has been held for ``hold_s``: time to :meth:`close` it, once no write on
        :meth:`writer` and no read on :meth:`get` is running (``rescore`` has its writer thread close it)."""
        return self._con is not None and time.perf_counter() - self._opened > self.hold_s

    def get(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            stack = ExitStack()
            self._con = stack.enter_context(connect(self.db))
            self._stack = stack
            self._opened = time.perf_counter()
            self._con.execute("SET checkpoint_threshold = '1GB'")
        return self._con

    def writer(self) -> duckdb.DuckDBPyConnection:
        """A second connection to the same open database (``cursor()``), for the writing thread: a
        DuckDB connection serves one thread at a time, and reads on :meth:`get`'s go on meanwhile."""
        if self._writer is None:
            self._writer = self.get().cursor()
        return self._writer

    def close(self, *, for_waiters: bool = False) -> None:
        """Close the connection (DuckDB checkpoints the changes into the file); ``for_waiters``: then keep
        the file closed until the processes waiting for it have had their turn (a reviewer's override), at
        most :data:`~qa_pipeline.store.waiting.DEFAULT_LET_IN_S`."""
        con, stack, writer = self._con, self._stack, self._writer
        self._con = self._stack = self._writer = None
        if stack is not None and con is not None:
            try:
                if writer is not None:
                    writer.close()
                con.execute("RESET checkpoint_threshold")
            finally:
                stack.close()
            if for_waiters:
                waited = let_waiters_in(self.db)
                if waited:
                    logger.info("let other processes at the database for %.2f s", waited)


def _write_chunk(
    con: duckdb.DuckDBPyConnection,
    scorecard_id: str,
    results: list[CallScore],
    metrics: list[CallMetrics],
    flags: list[Flag],
    not_applicable: list[str],
    reused: set[str],
) -> _Written:
    """One transaction: read the newest overrides, replace the chunk's scores, metrics and flags, and
    remove this card's scores and flags from the calls it does not apply to.  ``reused``: the calls whose
    stored metrics were used as they are (:func:`~qa_pipeline.store.metrics.current_metrics`); only their
    ``computed_at`` is set.

    Rows that come out the same as the stored ones are left in place (score rows: by
    :func:`~qa_pipeline.store.scores.score_digest`; their ``final_score`` and ``scored_at`` are updated;
    metrics: by value, ``computed_at`` updated; flags: by value), and the KPI roll-ups are kept only over the
    calls whose rows changed, which is the same delta as over all of them.
    """
    done_ids = [r.call_id for r in results]
    evidence = [evidence_texts(r) for r in results]
    digests = [score_digest(r, texts) for r, texts in zip(results, evidence)]
    metric_rows = [metrics_row(m) for m in metrics if m.call_id not in reused]
    with transaction(con):
        before = previous_score_state(con, scorecard_id, done_ids)
        overrides = latest_overrides(con, [scorecard_id], done_ids)
        finals, applied, ignored = final_scores_with_overrides(results, overrides)
        rewrite: list[CallScore] = []
        rewrite_digests: list[str] = []
        rewrite_evidence: list[list[str]] = []
        touch: list[str] = []
        touch_finals: list[float] = []
        rollup: set[str] = set()
        rewrite_inputs: dict[str, tuple[float, float, bool, bool, tuple[str, ...]]] = {}
        for r, digest, texts in zip(results, digests, evidence):
            final = finals.get((r.call_id, r.scorecard_id), r.score)
            prev = before.get(r.call_id)
            if prev is None or prev[3] is None or prev[3] != digest:
                rewrite.append(r)
                rewrite_digests.append(digest)
                rewrite_evidence.append(texts)
                rewrite_inputs[r.call_id] = rollup_inputs(r, final)
            else:
                touch.append(r.call_id)
                touch_finals.append(final)
                if prev[2] != final:
                    rollup.add(r.call_id)
        # rewritten rows change the roll-ups only where what they read changed (a new version alone does not)
        stored_inputs = stored_rollup_inputs(con, scorecard_id, list(rewrite_inputs))
        rollup.update(c for c, inputs in rewrite_inputs.items() if stored_inputs.get(c) != inputs)
        stored = stored_metrics_rows(con, [row[0] for row in metric_rows])
        new_metrics = [row for row in metric_rows if stored.get(row[0]) != row]
        rollup.update(row[0] for row in new_metrics)
        removed_ids = previous_score_state(con, scorecard_id, not_applicable)
        rollup.update(removed_ids)
        with keep_rollups(con, sorted(rollup)):
            write_scores(con, rewrite, finals, rewrite_digests, rewrite_evidence)
            touch_scores(con, scorecard_id, touch, touch_finals)
            write_metrics_rows(con, new_metrics)
            touch_metrics(con, [*reused, *(row[0] for row in metric_rows if stored.get(row[0]) == row)])
            set_inputs_digests(con, [row[0] for row in metric_rows])  # computed here: record what from
            written = _replace_call_flags(con, scorecard_id, flags, done_ids) if done_ids else 0
            removed = delete_scores(con, scorecard_id, list(removed_ids))
            replace_flags(con, [], not_applicable, [scorecard_id])
    return _Written(before, applied, ignored, written, removed, len(rewrite), len(rollup))


@dataclass
class _Tally:
    """What the chunks' writes add up to; :meth:`write` runs on the writer thread, one chunk at a time."""

    calls: int = 0
    changed: int = 0
    auto_failed: int = 0
    passed: int = 0
    total: float = 0.0
    applied: int = 0
    ignored: int = 0
    flags: int = 0
    skipped: int = 0
    removed: int = 0
    rewritten: int = 0
    rolled_up: int = 0
    write_s: float = 0.0

    def write(
        self,
        write_chunk: Callable[[], _Written],
        results: list[CallScore],
        skipped: int,
        then: Callable[[], None] | None = None,
    ) -> None:
        """Run one chunk's write (``write_chunk``: :func:`_write_chunk` with its arguments), add it up, and call
        ``then`` (a close of the connection) after a successful write."""
        t = time.perf_counter()
        w = write_chunk()
        self.flags += w.flags
        self.removed += w.removed
        self.rewritten += w.rewritten
        self.rolled_up += w.rolled_up
        self.applied += w.applied
        self.ignored += w.ignored
        self.skipped += skipped
        self.calls += len(results)
        for r in results:
            prev = w.before.get(r.call_id)
            if prev is None or abs(prev[0] - r.score) > 1e-9:
                self.changed += 1
            self.auto_failed += r.auto_failed
            self.passed += r.passed
            self.total += r.score
        self.write_s += time.perf_counter() - t
        if then is not None:
            then()


def _close_after_read(held: _HeldConnection, read_done: threading.Event) -> None:
    """On the writer thread, after its write: close the held connection once the main thread has read the next
    chunk with it, and let waiting processes in (:meth:`_HeldConnection.close`)."""
    read_done.wait()
    held.close(for_waiters=True)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while rescoring: a chunk's calls, utterances, labels and score rows are
    hundreds of thousands of objects, scoring makes no reference cycles, and each full collection walks
    them all (a third of the scoring time).  Reference counting still frees everything; the previous
    state is restored afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# Seconds a thread holding the GIL runs before it must hand it over when another thread asks for it
# (``sys.setswitchinterval``; Python's default is 5 ms).  The writer thread asks for it every time DuckDB
# returns from a statement or reads Python strings, while the scoring thread holds it: at 5 ms a chunk's
# write took 2.4 s instead of 0.9 s alone; at 0.5 ms it takes about 1.1 s (docs/scorecards.md).
GIL_SWITCH_S = 0.0005


@contextmanager
def _quick_gil_handoff(interval_s: float = GIL_SWITCH_S) -> Iterator[None]:
    """A shorter GIL switch interval while the writer thread runs beside scoring; restored afterwards."""
    was = sys.getswitchinterval()
    sys.setswitchinterval(min(was, interval_s))
    try:
        yield
    finally:
        sys.setswitchinterval(was)


# The last chunk's worth of calls is cut into halves down to this share of a chunk: nothing overlaps the last
# chunk's write and the checkpoint after it, so they should be short (a 2,000-call write is about a second).
TAIL_SHARE = 8


def chunk_bounds(n: int, size: int, tail_share: int = TAIL_SHARE) -> list[tuple[int, int]]:
    """``(start, stop)`` of the chunks of ``n`` calls: ``size`` each, but the last ``size`` calls are cut in
    halves (half of what is left each time) down to pieces of ``size // tail_share``: 1,000, 500, 250, 250."""
    size = max(1, size)
    smallest = max(1, size // tail_share)
    start = max(0, n - size)
    bounds = [(a, min(a + size, start)) for a in range(0, start, size)]
    while n - start >= 2 * smallest:
        half = (n - start) // 2
        bounds.append((start, start + half))
        start += half
    if n > start:
        bounds.append((start, n))
    return bounds


def _applies_to(
    con: duckdb.DuckDBPyConnection, card: Scorecard, others: Sequence[Scorecard], chunk: list[str]
) -> tuple[list[str], list[str]]:
    """(calls of ``chunk`` the card applies to, calls it does not), from their stored metadata."""
    cards = [card, *(c for c in others if c.id != card.id)]
    metadata = read_metadata_bulk(con, chunk)
    yes: list[str] = []
    no: list[str] = []
    for call_id in chunk:
        chosen = applicable_scorecards(cards, metadata.get(call_id))
        (yes if any(c is card for c in chosen) else no).append(call_id)
    return yes, no


def rescore(
    db: str | Path,
    scorecard_id: str | None = None,
    *,
    scorecard: Scorecard | None = None,
    flag_rules: FlagRules | None = None,
    call_ids: list[str] | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    scorecards_directory: str | Path | None = None,
    other_cards: Sequence[Scorecard] | None = None,
    hold_s: float = DEFAULT_HOLD_S,
) -> RescoreSummary:
    """Re-score every scorable stored call (or ``call_ids``) the scorecard applies to.

    The scorecard is ``scorecard`` when given, else the file with id
    ``scorecard_id`` in ``scorecards_directory`` (default ``scorecards/``).
    ``other_cards`` are the cards targeting weighs it against (default: the active
    cards of ``scorecards_directory``).  ``hold_s``: how long one connection serves the chunks before it
    is closed and the file left to others for a moment.
    """
    t0 = time.perf_counter()
    if not Path(db).exists():
        raise StoreError(f"database {db} does not exist; run 'qa-pipeline run INPUT_DIR --db {db}' first")
    card = _scorecard(scorecard_id, scorecard, scorecards_directory)
    rules = flag_rules if flag_rules is not None else load_flag_rules()
    others = list(other_cards) if other_cards is not None else load_scorecards(scorecards_directory)

    with connect(db) as con:
        with transaction(con):
            register_scorecard(con, card)
        ids = call_ids if call_ids is not None else scorable_call_ids(con)
        previous = sorted(
            r[0]
            for r in con.execute(
                "SELECT DISTINCT scorecard_version FROM call_scores WHERE scorecard_id = ?", [card.id]
            ).fetchall()
        )

    # the spine's score stage, with this scorecard and these flag rules only
    score = spine(scorecards=[card], flag_rules=rules).stage("score")
    read_s = score_s = 0.0
    tally = _Tally()
    held = _HeldConnection(db, hold_s)
    # One thread writes chunk N while this one reads and scores chunk N+1: most of a write is DuckDB's own
    # work (deletes, inserts, roll-up queries, the commit), which runs without the GIL.
    with (
        _gc_paused(),
        _quick_gil_handoff(),
        closing(held),
        ThreadPoolExecutor(1, thread_name_prefix="rescore-write") as writer,
    ):
        pending: Future[None] | None = None
        read_done = threading.Event()  # set once the chunk after the write in flight has been read
        bounds = chunk_bounds(len(ids), chunk_size)
        for k, (start, stop) in enumerate(bounds):
            t = time.perf_counter()
            try:
                con = held.get()
                chunk, not_applicable = _applies_to(con, card, others, ids[start:stop])
                calls = read_calls_bulk(con, chunk, lazy_label_scores=True)
                stored = current_metrics(con, chunk)  # metrics whose inputs are unchanged: not computed again
            finally:
                read_done.set()  # the write in flight may now close the connection (or stop waiting, on an error)
            read_s += time.perf_counter() - t

            t = time.perf_counter()
            analyses = [
                score.run(CallAnalysis(None, conv, labels=tuple(labs.values()), metrics=stored.get(conv.call_id)))
                for conv, labs in calls
            ]
            results: list[CallScore] = [a.scores[0] for a in analyses]
            flags = [f for a in analyses for f in a.flags]
            all_metrics = [a.metrics for a in analyses if a.metrics is not None]
            score_s += time.perf_counter() - t

            if pending is not None:
                pending.result()  # its write, and the close after it if one was due
                pending = None
            write = partial(
                _write_chunk, held.writer(), card.id, results, all_metrics, flags, not_applicable, set(stored)
            )
            read_done = threading.Event()
            # held long enough: the writer closes the connection after this write, once the next chunk is read,
            # so the checkpoint runs while that chunk is scored (the last chunk's close is the one below)
            close = partial(_close_after_read, held, read_done) if held.expired() and k + 1 < len(bounds) else None
            pending = writer.submit(tally.write, write, results, len(not_applicable), close)
            logger.info("rescored %d/%d calls", stop, len(ids))
            # free the chunk while collection is off: the collection that follows re-enabling then walks
            # a small heap, not the chunk's hundreds of thousands of objects (the writer holds what it needs)
            del calls, stored, analyses, results, flags, all_metrics
        if pending is not None:
            pending.result()

    return RescoreSummary(
        scorecard_id=card.id,
        version=card.version,
        previous_versions=tuple(v for v in previous if v != card.version),
        calls=tally.calls,
        changed=tally.changed,
        auto_failed=tally.auto_failed,
        passed=tally.passed,
        mean_score=(tally.total / tally.calls) if tally.calls else None,
        overrides_applied=tally.applied,
        overrides_ignored=tally.ignored,
        flags=tally.flags,
        not_applicable=tally.skipped,
        removed=tally.removed,
        rewritten=tally.rewritten,
        rolled_up=tally.rolled_up,
        read_s=read_s,
        score_s=score_s,
        write_s=tally.write_s,
        wall_s=time.perf_counter() - t0,
    )
