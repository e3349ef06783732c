"""What a reviewer changes: verdict overrides and the reviewed mark.

Each action is one short transaction: the override row (with the automatic
verdict kept beside it) and the recomputed ``final_score`` commit together or
not at all.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

import duckdb

from qa_pipeline.conversation import Conversation
from qa_pipeline.errors import InputError, NotFoundError
from qa_pipeline.kpi.rollup import keep_rollups
from qa_pipeline.review import audit
from qa_pipeline.review.verdicts import VERDICTS
from qa_pipeline.scorecard.engine import apply_overrides
from qa_pipeline.scorecard.flags import FlagRules, evaluate_flags
from qa_pipeline.scorecard.overrides import recompute_final_score, stored_call_score
from qa_pipeline.store.db import transaction, utcnow
from qa_pipeline.store.flags import replace_flags
from qa_pipeline.store.overrides import latest_overrides

logger = logging.getLogger("qa_pipeline.review.actions")

MAX_REASON_LEN = 2000


# Control characters other than tab/newline, and the bidirectional embedding/override/isolate characters
# that can make a reason read differently from what it says (Trojan Source, CVE-2021-42574).
_BIDI = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}


def check_text(text: str, what: str) -> None:
    """Refuse NUL and other control characters and bidi controls in free text a reviewer types."""
    for i, ch in enumerate(text):
        if ch in _BIDI or (ord(ch) < 32 and ch not in "\t\n\r") or ord(ch) == 0x7F:
            raise InputError(
                f"the {what} contains an invisible control character (U+{ord(ch):04X} at position {i + 1}); remove it and save again",
                stage="review",
            )


@dataclass(frozen=True)
class OverrideResult:
    override_id: str
    call_id: str
    scorecard_id: str
    criterion_id: str
    original_verdict: str
    new_verdict: str
    score_before: float
    score_after: float


def check_override(new_verdict: str, reason: str) -> str:
    """The stripped reason, after checking the verdict and the reason (raises :class:`InputError`)."""
    if new_verdict not in VERDICTS:
        raise InputError(f"verdict {new_verdict!r} is not one of {', '.join(VERDICTS)}", stage="review")
    reason = reason.strip()
    if not reason:
        raise InputError("an override needs a reason: say why the automatic verdict is wrong", stage="review")
    if len(reason) > MAX_REASON_LEN:
        raise InputError(f"reason is {len(reason)} characters; keep it under {MAX_REASON_LEN}", stage="review")
    check_text(reason, "reason")
    return reason


def override_verdict(
    con: duckdb.DuckDBPyConnection,
    *,
    call_id: str,
    scorecard_id: str,
    criterion_id: str,
    new_verdict: str,
    reason: str,
    username: str,
) -> OverrideResult:
    """Log an override and recompute the call's final score, in one transaction."""
    reason = check_override(new_verdict, reason)
    with transaction(con):
        return apply_override(
            con,
            call_id=call_id,
            scorecard_id=scorecard_id,
            criterion_id=criterion_id,
            new_verdict=new_verdict,
            reason=reason,
            username=username,
        )


def apply_override(
    con: duckdb.DuckDBPyConnection,
    *,
    call_id: str,
    scorecard_id: str,
    criterion_id: str,
    new_verdict: str,
    reason: str,
    username: str,
) -> OverrideResult:
    """The override row, the recomputed final score and score flags, in the caller's transaction
    (``reason`` already checked by :func:`check_override`)."""
    row = con.execute(
        "SELECT verdict FROM criterion_results WHERE call_id = ? AND scorecard_id = ? AND criterion_id = ?",
        [call_id, scorecard_id, criterion_id],
    ).fetchone()
    if row is None:
        raise NotFoundError(
            f"call {call_id!r} has no result for criterion {criterion_id!r} of scorecard {scorecard_id!r}"
        )
    before = con.execute(
        "SELECT final_score FROM call_scores WHERE call_id = ? AND scorecard_id = ?", [call_id, scorecard_id]
    ).fetchone()
    if before is None:
        raise NotFoundError(f"call {call_id!r} has no score for scorecard {scorecard_id!r}")
    override_id = uuid.uuid4().hex
    with keep_rollups(con, [call_id]):  # the override changes the criterion's verdict in criterion_daily
        con.execute(
            "INSERT INTO overrides (override_id, call_id, scorecard_id, criterion_id, original_verdict, new_verdict,"
            " reason, username, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [override_id, call_id, scorecard_id, criterion_id, row[0], new_verdict, reason, username, utcnow()],
        )
        after = recompute_final_score(con, call_id, scorecard_id)
    refresh_score_flags(con, call_id, scorecard_id)
    logger.info(
        "override %s by %s: %s/%s/%s %s -> %s, final score %.1f -> %.1f",
        override_id,
        username,
        call_id,
        scorecard_id,
        criterion_id,
        row[0],
        new_verdict,
        before[0],
        after,
    )
    return OverrideResult(
        override_id, call_id, scorecard_id, criterion_id, row[0], new_verdict, float(before[0]), after
    )


def refresh_score_flags(
    con: duckdb.DuckDBPyConnection, call_id: str, scorecard_id: str, rules: FlagRules | None = None
) -> int:
    """Re-evaluate the score rules (``auto_fail``, ``score_below``) on the final score, overrides applied, and
    replace this scorecard's flags of the call with the result (call-level flags are untouched).

    ``rules`` default to the flag rules the nightly run uses (``scorecards/flags.yaml``).
    """
    result = stored_call_score(con, call_id, scorecard_id)
    ovr = latest_overrides(con, [scorecard_id], [call_id]).get((call_id, scorecard_id), {})
    final = apply_overrides(result, ovr) if ovr else result
    conv = Conversation(call_id, (), 0.0)
    # call_level=False evaluates only the rules about scores; they read no utterances, labels or metrics.
    flags = evaluate_flags(conv, {}, None, [final], rules, call_level=False)  # type: ignore[arg-type]
    return replace_flags(con, flags, [call_id], [scorecard_id])


def mark_reviewed(
    con: duckdb.DuckDBPyConnection, *, call_id: str, username: str, note: str | None = None, client: str | None = None
) -> None:
    """Mark the call reviewed; the mark it replaces (if any) and this one stay in ``audit_events``."""
    note = (note or "").strip() or None
    if note and len(note) > MAX_REASON_LEN:
        raise InputError(f"note is {len(note)} characters; keep it under {MAX_REASON_LEN}", stage="review")
    if note:
        check_text(note, "note")
    with transaction(con):
        if not con.execute("SELECT 1 FROM calls WHERE call_id = ?", [call_id]).fetchone():
            raise NotFoundError(f"no call {call_id!r}")
        con.execute("DELETE FROM reviews WHERE call_id = ?", [call_id])
        con.execute(
            "INSERT INTO reviews (call_id, username, reviewed_at, note) VALUES (?, ?, ?, ?)",
            [call_id, username, utcnow(), note],
        )
        audit.record(con, "review_marked", username=username, client=client, call_id=call_id, detail=note)


def unmark_reviewed(
    con: duckdb.DuckDBPyConnection, *, call_id: str, username: str = "", client: str | None = None
) -> None:
    """Reopen the call: the reviewed mark leaves ``reviews`` but is kept (who, when, note) in ``audit_events``."""
    with transaction(con):
        row = con.execute("SELECT username, reviewed_at, note FROM reviews WHERE call_id = ?", [call_id]).fetchone()
        if row is None:
            return
        con.execute("DELETE FROM reviews WHERE call_id = ?", [call_id])
        detail = f"reviewed by {row[0]} at {row[1]:%Y-%m-%d %H:%M}" + (f": {row[2]}" if row[2] else "")
        audit.record(con, "review_reopened", username=username or None, client=client, call_id=call_id, detail=detail)
