"""Migrations, the connection discipline, and the conversation merge."""

from __future__ import annotations

import multiprocessing as mp
import threading
import time
from pathlib import Path

import duckdb
import pytest

from qa_pipeline.conversation import PartySegment, Word, merge_parties
from qa_pipeline.errors import DatabaseBusyError
from qa_pipeline.store import connect
from qa_pipeline.store.db import available_migrations
from qa_pipeline.store.waiting import others_waiting


def test_migrations_are_numbered_and_recorded(db_path: Path) -> None:
    with connect(db_path) as con:
        rows = con.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()
    assert [v for v, _ in rows] == [v for v, _, _ in available_migrations()]
    assert rows[0] == (1, "core")
    with connect(db_path) as con:  # second open applies nothing new
        assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(rows)


def _hold_lock(path: str, seconds: float, ready) -> None:
    con = duckdb.connect(path)
    ready.set()
    time.sleep(seconds)
    con.close()


def _held_by_another_process(db_path: Path, seconds: float) -> mp.process.BaseProcess:
    """A migrated database, held open by another process for ``seconds`` from now (the process is returned)."""
    with connect(db_path):
        pass
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(db_path), seconds, ready))
    holder.start()
    assert ready.wait(60)
    return holder


def test_connect_waits_for_another_writer(db_path: Path) -> None:
    p = _held_by_another_process(db_path, 1.5)
    t = time.monotonic()
    with pytest.raises(DatabaseBusyError, match="locked by another process"), connect(db_path, busy_timeout_s=0.3):
        pass
    with connect(db_path, busy_timeout_s=30) as con:  # waits for the holder to finish
        assert con.execute("SELECT 1").fetchone() == (1,)
    assert time.monotonic() - t > 0.5
    p.join()


def test_connect_announces_itself_while_it_waits(db_path: Path) -> None:
    holder = _held_by_another_process(db_path, 1.5)
    opened: list[float] = []

    def waiter() -> None:
        with connect(db_path, busy_timeout_s=30):
            opened.append(time.monotonic())

    thread = threading.Thread(target=waiter)
    thread.start()
    deadline = time.monotonic() + 10
    while not others_waiting(db_path) and time.monotonic() < deadline:
        time.sleep(0.01)
    seen_waiting = others_waiting(db_path)
    thread.join(60)
    holder.join(60)
    assert seen_waiting, "connect() retried without announcing itself"
    assert opened, "connect() never got the file"
    assert not others_waiting(db_path)  # the announcement ends once the file is open


def test_merge_orders_and_joins_turns() -> None:
    w = lambda s, e, t: Word(s, e, t, 0.9)  # noqa: E731
    segs = [
        PartySegment("customer", 3.0, 4.0, "hi, my card", (w(3.0, 4.0, "hi"),), channel=1),
        PartySegment("agent", 0.0, 1.5, "Thanks for calling.", (w(0, 1.5, "Thanks"),), channel=0),
        PartySegment("agent", 1.8, 2.5, "How can I help?", (w(1.8, 2.5, "How"),), channel=0),
        PartySegment("customer", 4.3, 5.0, "was declined", (w(4.3, 5.0, "was"),), channel=1),
        PartySegment("agent", 6.0, 7.0, "   ", (), channel=0),
    ]
    conv = merge_parties("c1", segs, 10.0)
    assert [(u.idx, u.speaker, u.text) for u in conv.utterances] == [
        (0, "agent", "Thanks for calling. How can I help?"),
        (1, "customer", "hi, my card was declined"),
    ]
    assert conv.utterances[0].end_s == 2.5 and len(conv.utterances[0].words) == 2
