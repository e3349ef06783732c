"""Sign-in hardening (issue #14 point 6): Argon2id outside the database lock, old hashes upgraded,
throttling per (user, address) and per address that a stranger cannot turn into a lock-out, and the
audit trail of sign-ins and call access shown to supervisors."""

from __future__ import annotations

import base64
import hashlib
import secrets
import shutil

import pytest
import requests
from review_fixture import build_review_db, csrf_of, start_server, stop_server
from starlette.testclient import TestClient

from qa_pipeline.review import auth
from qa_pipeline.review.app import ServerConfig, create_app
from qa_pipeline.store.db import connect


@pytest.fixture(scope="module")
def base_fx(tmp_path_factory):
    return build_review_db(tmp_path_factory.mktemp("review"), tmp_path_factory.mktemp("clips"))


@pytest.fixture()
def fx(base_fx, tmp_path):
    db = tmp_path / "qa.duckdb"
    shutil.copy(base_fx.db, db)
    return type(base_fx)(db, base_fx.recordings, base_fx.calls, base_fx.featured, base_fx.passwords)


def client(fx, **cfg) -> TestClient:
    cfg.setdefault("forwarded_allow_ips", "*")  # so each request can say which address it comes from
    return TestClient(create_app(ServerConfig(fx.db, **cfg)), follow_redirects=False)


def login(c: TestClient, username: str, password: str, addr: str = "192.0.2.10"):
    tok = csrf_of(c.get("/login").text)
    return c.post(
        "/login",
        data={"csrf": tok, "username": username, "password": password, "next": ""},
        headers={"x-forwarded-for": addr},
    )


def events(fx, kind: str | None = None) -> list[tuple]:
    with connect(fx.db, read_only=True) as con:
        sql = "SELECT kind, username, client, call_id, detail FROM audit_events"
        return con.execute(
            sql + (" WHERE kind = ?" if kind else "") + " ORDER BY occurred_at, event_id", [kind] if kind else []
        ).fetchall()


def test_password_is_verified_outside_the_database_lock(fx, monkeypatch):
    app = create_app(ServerConfig(fx.db))
    ws = app.state.workspace
    held: list[bool] = []
    real = auth.verify_password

    def spy(password: str, stored: str) -> bool:
        held.append(ws._db_lock.locked())
        return real(password, stored)

    monkeypatch.setattr(auth, "verify_password", spy)
    c = TestClient(app, follow_redirects=False)
    assert login(c, "alice", fx.passwords["alice"][1]).status_code == 303
    assert login(c, "alice", "wrong-password").status_code == 401
    assert login(c, "nobody-here", "wrong-password").status_code == 401
    assert held == [False, False, False]


def _old_scrypt_hash(password: str) -> str:
    """The form the workspace wrote before Argon2id (scrypt N=2^15, r=8, p=1)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**15, r=8, p=1, maxmem=64 * 1024 * 1024, dklen=32)
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return f"scrypt$32768$8$1${b64(salt)}${b64(digest)}"


def test_an_old_scrypt_hash_still_signs_in_and_is_upgraded_to_argon2id(fx):
    pw = fx.passwords["alice"][1]
    with connect(fx.db) as con:
        con.execute("UPDATE users SET password_hash = ? WHERE username = 'alice'", [_old_scrypt_hash(pw)])
    assert login(client(fx), "alice", "not-her-password").status_code == 401
    with connect(fx.db, read_only=True) as con:
        assert (
            con.execute("SELECT password_hash FROM users WHERE username = 'alice'").fetchone()[0].startswith("scrypt$")
        )
    assert login(client(fx), "alice", pw).status_code == 303
    with connect(fx.db, read_only=True) as con:
        stored = con.execute("SELECT password_hash FROM users WHERE username = 'alice'").fetchone()[0]
    assert stored.startswith("$argon2id$") and not auth.needs_rehash(stored)
    assert login(client(fx), "alice", pw).status_code == 303  # and the new hash verifies


def test_a_stranger_cannot_lock_the_admin_out(fx):
    c = client(fx)
    stranger, office = "203.0.113.9", "198.51.100.7"
    for _ in range(30):
        r = login(c, "adam", "guessing-away", addr=stranger)
    assert r.status_code == 401 and "Too many failed attempts" in r.text
    # The right password from the stranger's address is refused too while it is throttled...
    assert "Too many failed attempts" in login(c, "adam", fx.passwords["adam"][1], addr=stranger).text
    # ...but the admin signs in from the office at once.
    assert login(client(fx), "adam", fx.passwords["adam"][1], addr=office).status_code == 303
    kinds = [e[0] for e in events(fx) if e[2] == stranger]
    assert kinds.count("signin_failed") == 5 and "signin_throttled" in kinds  # 5 counted, then refused unseen
    ok = events(fx, "signin_ok")
    assert ok == [("signin_ok", "adam", office, None, None)]


def test_one_address_guessing_many_user_names_is_throttled(fx):
    c = client(fx)
    for i in range(20):
        assert login(c, f"user{i}", "guessing-away", addr="203.0.113.50").status_code == 401
    r = login(c, "alice", fx.passwords["alice"][1], addr="203.0.113.50")
    assert r.status_code == 401 and "Too many failed attempts" in r.text
    assert login(client(fx), "alice", fx.passwords["alice"][1], addr="203.0.113.51").status_code == 303


def test_call_access_is_audited_and_shown_to_supervisors_only(fx):
    f = fx.featured
    c = client(fx)
    c.headers["x-forwarded-for"] = "192.0.2.20"  # every request from this address (the proxy forwards it)
    assert login(c, "carl", fx.passwords["carl"][1], addr="192.0.2.20").status_code == 303
    assert c.get(f"/calls/{f.call_id}").status_code == 200
    for rng in ("bytes=0-99", "bytes=100-199", None):  # the browser's range requests are one play
        assert c.get(f"/calls/{f.call_id}/audio", headers={"range": rng} if rng else {}).status_code in (200, 206)
    assert c.get("/audit").status_code == 403  # coaches do not read the audit trail
    assert events(fx, "call_opened") == [("call_opened", "carl", "192.0.2.20", f.call_id, None)]
    assert events(fx, "call_played") == [("call_played", "carl", "192.0.2.20", f.call_id, None)]
    c.post("/logout", data={"csrf": csrf_of(c.get("/coach").text)})
    assert events(fx, "signout") == [("signout", "carl", "192.0.2.20", None, None)]
    sup = client(fx)
    assert login(sup, "sue", fx.passwords["sue"][1]).status_code == 303
    html = sup.get("/audit").text
    assert "call_played" in html and "carl" in html and f.call_id in html and "192.0.2.20" in html
    only = sup.get("/audit", params={"kind": "call_opened", "user": "carl"}).text
    assert "call_opened" in only and "signin_ok" not in only.split('id="audit-table"')[1]


def test_the_server_prints_sign_ins_and_failures(base_fx, tmp_path):
    db = tmp_path / "qa.duckdb"
    shutil.copy(base_fx.db, db)
    proc, base = start_server(db)
    try:
        s = requests.Session()
        for pw in ("wrong-password", base_fx.passwords["alice"][1]):
            tok = csrf_of(s.get(base + "/login").text)
            s.post(base + "/login", data={"csrf": tok, "username": "alice", "password": pw}, allow_redirects=False)
    finally:
        stop_server(proc)
    out = proc.stdout.read().decode(errors="replace")
    assert "failed sign-in for 'alice' from 127.0.0.1" in out, out
    assert "alice signed in from 127.0.0.1" in out, out
