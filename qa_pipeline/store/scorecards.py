"""The ``scorecards`` table: every scorecard version ever used, with its YAML text."""

from __future__ import annotations

import logging
from typing import Any, Protocol

import duckdb

from qa_pipeline.store.db import utcnow

logger = logging.getLogger("qa_pipeline.store.scorecards")


class ScorecardVersion(Protocol):
    """What the table records of a scorecard (``qa_pipeline.scorecard.Scorecard`` has these)."""

    @property
    def id(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def source(self) -> str: ...


def register_scorecard(con: duckdb.DuckDBPyConnection, card: ScorecardVersion) -> bool:
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


def is_registered(con: duckdb.DuckDBPyConnection, scorecard_id: str, version: str) -> bool:
    return (
        con.execute(
            "SELECT 1 FROM scorecards WHERE scorecard_id = ? AND version = ?", [scorecard_id, version]
        ).fetchone()
        is not None
    )


def scorecard_source(con: duckdb.DuckDBPyConnection, scorecard_id: str, version: str) -> str | None:
    """The YAML text this scorecard version was registered with, or None."""
    row = con.execute(
        "SELECT source FROM scorecards WHERE scorecard_id = ? AND version = ?", [scorecard_id, version]
    ).fetchone()
    return None if row is None else str(row[0])
