"""Users, roles, password hashing, sign-in sessions and CSRF tokens.

Passwords are hashed with salted scrypt (stdlib ``hashlib.scrypt``) and stored
as ``scrypt$n$r$p$salt_b64$hash_b64`` in ``users.password_hash``.  Sessions
are server-side: the browser holds a random 256-bit token in an HttpOnly
cookie; the server maps it to the user name and a per-session CSRF token,
kept in memory and in the ``web_sessions`` table (token hashed), so a restart
of the server does not sign anyone out.
The user's role and ``disabled`` flag are read from the database on every
request, so ``qa-pipeline users set-role`` / ``users disable`` take effect on
the next click.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, ContextManager

import duckdb

from qa_pipeline.errors import ConfigError, InputError, NotFoundError
from qa_pipeline.store.db import transaction, utcnow

logger = logging.getLogger("qa_pipeline.review.auth")

ROLES: tuple[str, ...] = ("qa_specialist", "coach", "supervisor", "admin")

# What each role may see (``*.view``) and change.  One table, checked by every route.
PERMISSIONS: dict[str, frozenset[str]] = {
    "queue.view": frozenset({"qa_specialist", "supervisor", "admin"}),
    "call.view": frozenset({"qa_specialist", "coach", "supervisor", "admin"}),
    "call.override": frozenset({"qa_specialist", "admin"}),
    "call.review": frozenset({"qa_specialist", "admin"}),
    "calibration.view": frozenset({"qa_specialist", "supervisor", "admin"}),
    "coach.view": frozenset({"coach", "supervisor", "admin"}),
    "runs.view": frozenset({"supervisor", "admin"}),
}

HOME_BY_ROLE = {"qa_specialist": "/queue", "coach": "/coach", "supervisor": "/runs", "admin": "/queue"}

MIN_PASSWORD_LEN = 8
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**15, 8, 1
_SCRYPT_MAXMEM = 64 * 1024 * 1024


def can(role: str, permission: str) -> bool:
    allowed = PERMISSIONS.get(permission)
    if allowed is None:
        raise KeyError(f"unknown permission {permission!r}")
    return role in allowed


# --------------------------------------------------------------------------- passwords


def hash_password(password: str, *, n: int = _SCRYPT_N, r: int = _SCRYPT_R, p: int = _SCRYPT_P) -> str:
    """Salted scrypt hash in the ``scrypt$n$r$p$salt$hash`` form."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_SCRYPT_MAXMEM, dklen=32)
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"scrypt${n}${r}${p}${b64(salt)}${b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against a stored scrypt hash."""
    try:
        scheme, n, r, p, salt_b64, hash_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt = base64.b64decode(salt_b64)
        expected = base64.b64decode(hash_b64)
        digest = hashlib.scrypt(
            password.encode("utf-8"), salt=salt, n=int(n), r=int(r), p=int(p), maxmem=_SCRYPT_MAXMEM, dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)


# Verified against when the user name is unknown, so both paths cost one scrypt.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


# --------------------------------------------------------------------------- users table


@dataclass(frozen=True)
class User:
    username: str
    role: str
    disabled: bool
    created_at: datetime


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ConfigError(f"unknown role {role!r}; use one of: {', '.join(ROLES)}")


def _check_username(username: str) -> None:
    if not username or len(username) > 64 or not all(ch.isalnum() or ch in "._-@" for ch in username):
        raise InputError(
            f"invalid user name {username!r}: use 1-64 letters, digits and . _ - @", stage="users"
        )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LEN:
        raise InputError(f"password too short ({len(password)} characters); use at least {MIN_PASSWORD_LEN}", stage="users")


def add_user(con: duckdb.DuckDBPyConnection, username: str, password: str, role: str) -> User:
    _check_username(username)
    _check_role(role)
    _check_password(password)
    now = utcnow()
    with transaction(con):
        if con.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
            raise InputError(f"user {username!r} already exists; use 'qa-pipeline users set-role' or 'users passwd'", stage="users")
        con.execute(
            "INSERT INTO users (username, password_hash, role, disabled, created_at) VALUES (?, ?, ?, FALSE, ?)",
            [username, hash_password(password), role, now],
        )
    logger.info("added user %s (%s)", username, role)
    return User(username, role, False, now)


def get_user(con: duckdb.DuckDBPyConnection, username: str) -> User | None:
    row = con.execute(
        "SELECT username, role, disabled, created_at FROM users WHERE username = ?", [username]
    ).fetchone()
    return User(*row) if row else None


def list_users(con: duckdb.DuckDBPyConnection) -> list[User]:
    rows = con.execute("SELECT username, role, disabled, created_at FROM users ORDER BY username").fetchall()
    return [User(*r) for r in rows]


def _update_user(con: duckdb.DuckDBPyConnection, username: str, sql: str, params: list) -> None:
    with transaction(con):
        if not con.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
            raise NotFoundError(f"no user {username!r}; see 'qa-pipeline users list'")
        con.execute(sql, [*params, username])


def set_role(con: duckdb.DuckDBPyConnection, username: str, role: str) -> None:
    _check_role(role)
    _update_user(con, username, "UPDATE users SET role = ? WHERE username = ?", [role])


def set_disabled(con: duckdb.DuckDBPyConnection, username: str, disabled: bool) -> None:
    _update_user(con, username, "UPDATE users SET disabled = ? WHERE username = ?", [disabled])


def set_password(con: duckdb.DuckDBPyConnection, username: str, password: str) -> None:
    _check_password(password)
    _update_user(con, username, "UPDATE users SET password_hash = ? WHERE username = ?", [hash_password(password)])


def authenticate(con: duckdb.DuckDBPyConnection, username: str, password: str) -> User | None:
    """The user when the password matches and the account is enabled, else ``None``."""
    row = con.execute(
        "SELECT username, role, disabled, created_at, password_hash FROM users WHERE username = ?", [username]
    ).fetchone()
    if row is None:
        verify_password(password, _DUMMY_HASH)
        return None
    ok = verify_password(password, row[4])
    if not ok or row[2]:
        return None
    return User(*row[:4])


# --------------------------------------------------------------------------- sessions


@dataclass
class Session:
    token: str
    username: str
    csrf: str
    created: float  # epoch seconds
    last_seen: float
    flash: list[tuple[str, str]] = field(default_factory=list)
    persisted_seen: float = 0.0


ConnectionOpener = Callable[[], ContextManager[duckdb.DuckDBPyConnection]]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc).replace(tzinfo=None)


def _epoch(ts: datetime) -> float:
    return ts.replace(tzinfo=timezone.utc).timestamp()


@dataclass
class SessionStore:
    """Sign-in sessions: in memory, and in the ``web_sessions`` table when ``opener`` is set.

    ``opener`` returns a read-write connection context; with it a restarted
    server (or a second one on the same file) finds the sessions again.  Only
    the SHA-256 of a token is stored.  ``last_seen`` is written back at most
    every ``persist_every_s`` so browsing does not write on every click.
    """

    idle_timeout_s: float = 8 * 3600
    absolute_timeout_s: float = 24 * 3600
    persist_every_s: float = 300.0
    opener: ConnectionOpener | None = None
    _sessions: dict[str, Session] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _expired(self, s: Session, now: float) -> bool:
        return now - s.last_seen > self.idle_timeout_s or now - s.created > self.absolute_timeout_s

    def create(self, username: str) -> Session:
        now = time.time()
        s = Session(secrets.token_urlsafe(32), username, secrets.token_urlsafe(32), now, now, persisted_seen=now)
        if self.opener is not None:
            with self.opener() as con:
                con.execute(
                    "DELETE FROM web_sessions WHERE last_seen_at < ? OR created_at < ?",
                    [_utc(now - self.idle_timeout_s), _utc(now - self.absolute_timeout_s)],
                )
                con.execute("INSERT INTO web_sessions VALUES (?, ?, ?, ?, ?)",
                            [_token_hash(s.token), username, s.csrf, _utc(now), _utc(now)])
        with self._lock:
            self._sessions[s.token] = s
        return s

    def _load(self, token: str) -> Session | None:
        if self.opener is None:
            return None
        with self.opener() as con:
            row = con.execute(
                "SELECT username, csrf, created_at, last_seen_at FROM web_sessions WHERE token_sha256 = ?",
                [_token_hash(token)],
            ).fetchone()
        if row is None:
            return None
        seen = _epoch(row[3])
        return Session(token, row[0], row[1], _epoch(row[2]), seen, persisted_seen=seen)

    def get(self, token: str | None) -> Session | None:
        if not token:
            return None
        now = time.time()
        with self._lock:
            s = self._sessions.get(token)
        if s is None:
            s = self._load(token)
            if s is None:
                return None
            with self._lock:
                s = self._sessions.setdefault(token, s)
        if self._expired(s, now):
            # another server may have seen the session since this one did: its last visit is in the table
            stored = self._load(token)
            if stored is None or self._expired(stored, now):
                self.drop(token)
                return None
        s.last_seen = now
        if self.opener is not None and now - s.persisted_seen > self.persist_every_s:
            s.persisted_seen = now
            with self.opener() as con:
                con.execute("UPDATE web_sessions SET last_seen_at = ? WHERE token_sha256 = ?",
                            [_utc(now), _token_hash(token)])
        return s

    def user_of(self, con: duckdb.DuckDBPyConnection, session: Session) -> User | None:
        """The session's user, read through ``con`` on every request: None when the user was deleted
        or disabled, or the session was signed out (its row deleted) on any server sharing the table."""
        if self.opener is not None:
            row = con.execute("SELECT 1 FROM web_sessions WHERE token_sha256 = ?", [_token_hash(session.token)]).fetchone()
            if row is None:
                return None
        user = get_user(con, session.username)
        return None if user is None or user.disabled else user

    def drop(self, token: str | None) -> None:
        if not token:
            return
        with self._lock:
            self._sessions.pop(token, None)
        if self.opener is not None:
            with self.opener() as con:
                con.execute("DELETE FROM web_sessions WHERE token_sha256 = ?", [_token_hash(token)])


def csrf_ok(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(expected.encode(), given.encode())  # type: ignore[union-attr]


@dataclass
class LoginThrottle:
    """After ``max_failures`` failed sign-ins for one user name, refuse it for ``lock_s`` seconds."""

    max_failures: int = 5
    lock_s: float = 60.0
    _fails: dict[str, tuple[int, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def blocked(self, key: str) -> bool:
        with self._lock:
            count, since = self._fails.get(key, (0, 0.0))
            if count >= self.max_failures and time.monotonic() - since < self.lock_s:
                return True
            if count >= self.max_failures:
                self._fails.pop(key, None)
            return False

    def failed(self, key: str) -> None:
        with self._lock:
            count, _ = self._fails.get(key, (0, 0.0))
            self._fails[key] = (count + 1, time.monotonic())

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._fails.pop(key, None)
