"""Sign-in throttle counters live in the database (``login_throttle``, migration 021): a restarted server
still refuses a locked-out (name, address), while the same name from another address signs in, and no
lock lasts longer than its cap — a stranger cannot lock ``admin`` out, not even for ever from afar."""

from __future__ import annotations

import re
from contextlib import contextmanager

import requests
from review_fixture import start_server, stop_server

from qa_pipeline.review import auth
from qa_pipeline.review.throttle import LoginThrottle
from qa_pipeline.store.db import connect

STRANGER, OFFICE = "198.51.100.7", "192.0.2.10"


def _opener(db):
    @contextmanager
    def open_():
        with connect(db) as con:
            yield con

    return open_


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_counters_survive_a_new_throttle_on_the_same_database(tmp_path):
    db = tmp_path / "qa.duckdb"
    clock = Clock()
    first = LoginThrottle(opener=_opener(db), clock=clock)
    started = [first.failed("Admin", STRANGER) for _ in range(5)]
    assert started == [False] * 4 + [True]
    again = LoginThrottle(opener=_opener(db), clock=clock)  # the server restarted
    assert again.blocked("admin", STRANGER) == 60.0
    assert again.blocked("admin", OFFICE) == 0.0  # the office is not locked out
    clock.now += 61
    assert again.blocked("admin", STRANGER) == 0.0  # and the stranger's lock ends


def test_repeated_locks_double_up_to_the_cap_and_never_last_for_ever(tmp_path):
    db = tmp_path / "qa.duckdb"
    clock = Clock()
    waits = []
    for _ in range(8):  # a stranger who keeps coming back, through restarts
        throttle = LoginThrottle(opener=_opener(db), clock=clock)
        for _ in range(5):
            throttle.failed("admin", STRANGER)
        waits.append(throttle.blocked("admin", STRANGER))
        clock.now += waits[-1] + 1
    assert waits == [60, 120, 240, 480, 900, 900, 900, 900]
    assert LoginThrottle(opener=_opener(db), clock=clock).blocked("admin", OFFICE) == 0.0
    with connect(db, read_only=True) as con:
        rows = con.execute("SELECT kind, username, client FROM login_throttle ORDER BY kind").fetchall()
    assert rows == [("addr", "", STRANGER), ("user", "admin", STRANGER)]


def test_a_success_clears_the_stored_count(tmp_path):
    db = tmp_path / "qa.duckdb"
    throttle = LoginThrottle(opener=_opener(db))
    for _ in range(4):
        throttle.failed("alice", OFFICE)
    throttle.succeeded("alice", OFFICE)
    fresh = LoginThrottle(opener=_opener(db))
    for _ in range(4):
        assert not fresh.failed("alice", OFFICE)  # four more before a lock, not one


def _signin(base: str, username: str, password: str, addr: str) -> requests.Response:
    s = requests.Session()
    tok = re.search(r'name="csrf" value="([^"]+)"', s.get(base + "/login").text).group(1)  # type: ignore[union-attr]
    return s.post(
        base + "/login",
        data={"csrf": tok, "username": username, "password": password},
        headers={"x-forwarded-for": addr},
        allow_redirects=False,
    )


def test_a_restarted_server_still_refuses_the_stranger_but_not_the_office(tmp_path):
    db = tmp_path / "qa.duckdb"
    with connect(db) as con:
        auth.add_user(con, "admin", "admin-password-1", "admin")
    args = ("--forwarded-allow-ips", "127.0.0.1")
    proc, base = start_server(db, *args)
    try:
        for _ in range(5):
            assert _signin(base, "admin", "guess", STRANGER).status_code == 401
        assert "Too many failed attempts" in _signin(base, "admin", "admin-password-1", STRANGER).text
    finally:
        stop_server(proc)
    proc, base = start_server(db, *args)  # a restart on the same database
    try:
        refused = _signin(base, "admin", "admin-password-1", STRANGER)
        assert refused.status_code == 401 and "Too many failed attempts" in refused.text
        assert _signin(base, "admin", "admin-password-1", OFFICE).status_code == 303
    finally:
        stop_server(proc)
