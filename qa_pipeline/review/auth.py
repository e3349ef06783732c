"""Users, roles, password hashing, sign-in sessions and CSRF tokens.

Passwords are hashed with Argon2id (argon2-cffi's ``PasswordHasher``,
t=3, m=64 MiB, p=1) and stored in PHC form (``$argon2id$v=19$m=…``) in
``users.password_hash``.  Hashes of the older salted-scrypt form
(``scrypt$n$r$p$salt_b64$hash_b64``) still verify and are replaced by Argon2id
at the user's next sign-in (:func:`needs_rehash`).  Verification never runs
while the workspace holds its database lock (:func:`check_password` is called
between the two database units of a sign-in).  Sessions
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
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from qa_pipeline.errors import ConfigError, InputError, NotFoundError
from qa_pipeline.store.db import transaction, utcnow

logger = logging.getLogger("qa_pipeline.review.auth")

ROLES: tuple[str, ...] = ("qa_specialist", "coach", "supervisor", "admin", "agent")

# What each role may see (``*.view``) and change.  One table, checked by every route.
PERMISSIONS: dict[str, frozenset[str]] = {
    "queue.view": frozenset({"qa_specialist", "supervisor", "admin"}),
    # agents open only their own calls: review/scope.py checks ownership on every call route
    "call.view": frozenset({"qa_specialist", "coach", "supervisor", "admin", "agent"}),
    "call.override": frozenset({"qa_specialist", "admin"}),
    "call.review": frozenset({"qa_specialist", "admin"}),
    "calibration.view": frozenset({"qa_specialist", "supervisor", "admin"}),
    "coach.view": frozenset({"coach", "supervisor", "admin"}),
    "runs.view": frozenset({"supervisor", "admin"}),
    "audit.view": frozenset({"supervisor", "admin"}),
    "kpi.view": frozenset({"supervisor", "admin"}),  # contact-centre KPIs: supervisors (and admins) only
    "drivers.view": frozenset({"supervisor", "admin"}),  # contact drivers: supervisors (and admins) only
    "me.view": frozenset({"agent"}),
    "call.acknowledge": frozenset({"agent"}),
    "call.dispute": frozenset({"agent"}),
    "call.comment": frozenset({"qa_specialist", "coach", "supervisor", "admin", "agent"}),
    "disputes.view": frozenset({"qa_specialist", "supervisor", "admin"}),
    "disputes.decide": frozenset({"qa_specialist", "admin"}),
    "assign.view": frozenset({"qa_specialist", "supervisor", "admin"}),
    "assign.manage": frozenset({"supervisor", "admin"}),
    "sessions.view": frozenset({"qa_specialist", "supervisor", "admin"}),
    "sessions.manage": frozenset({"qa_specialist", "supervisor", "admin"}),
    "search.view": frozenset({"qa_specialist", "coach", "supervisor", "admin"}),
    "criteria.test": frozenset({"qa_specialist", "supervisor", "admin"}),  # QA leads tune criteria
}

HOME_BY_ROLE = {
    "qa_specialist": "/queue",
    "coach": "/coach",
    "supervisor": "/runs",
    "admin": "/queue",
    "agent": "/me",
}

MIN_PASSWORD_LEN = 8
_SCRYPT_MAXMEM = 64 * 1024 * 1024


def can(role: str, permission: str) -> bool:
    allowed = PERMISSIONS.get(permission)
    if allowed is None:
        raise KeyError(f"unknown permission {permission!r}")
    return role in allowed


# --------------------------------------------------------------------------- passwords


# Argon2id at t=3, m=64 MiB (RFC 9106's second recommended memory and passes) with one lane, so a
# verification occupies one core: the workspace also caps concurrent verifications (see workspace.py),
# which keeps anonymous sign-in attempts from taking every core from signed-in reviewers.
_HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    """Salted Argon2id hash in PHC form."""
    return _HASHER.hash(password)


def _verify_scrypt(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, hash_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt = base64.b64decode(salt_b64)
        expected = base64.b64decode(hash_b64)
        digest = hashlib.scrypt(
            password.encode("utf-8"),
            salt=salt,
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=_SCRYPT_MAXMEM,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against a stored Argon2id (or older scrypt) hash."""
    if stored.startswith("scrypt$"):
        return _verify_scrypt(password, stored)
    try:
        return _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True for hashes of an older scheme or cost: replaced at the next successful sign-in."""
    if not stored.startswith("$argon2id$"):
        return True
    try:
        return _HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


# Verified against when the user name is unknown, so both paths cost one Argon2id.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


# --------------------------------------------------------------------------- users table


@dataclass(frozen=True)
class User:
    username: str
    role: str
    disabled: bool
    created_at: datetime
    agent_id: str | None = None  # role 'agent': the calls.agent_id whose calls they see


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ConfigError(f"unknown role {role!r}; use one of: {', '.join(ROLES)}")


def _check_username(username: str) -> None:
    if not username or len(username) > 64 or not all(ch.isalnum() or ch in "._-@" for ch in username):
        raise InputError(f"invalid user name {username!r}: use 1-64 letters, digits and . _ - @", stage="users")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LEN:
        raise InputError(
            f"password too short ({len(password)} characters); use at least {MIN_PASSWORD_LEN}", stage="users"
        )


def _check_agent_id(role: str, agent_id: str | None) -> None:
    if role == "agent" and not (agent_id or "").strip():
        raise InputError("an agent user needs --agent-id: the agent_id their calls carry", stage="users")
    if role != "agent" and agent_id:
        raise InputError(f"--agent-id is only for role 'agent', not {role!r}", stage="users")


def add_user(
    con: duckdb.DuckDBPyConnection, username: str, password: str, role: str, agent_id: str | None = None
) -> User:
    _check_username(username)
    _check_role(role)
    _check_agent_id(role, agent_id)
    _check_password(password)
    now = utcnow()
    with transaction(con):
        if con.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
            raise InputError(
                f"user {username!r} already exists; use 'qa-pipeline users set-role' or 'users passwd'", stage="users"
            )
        con.execute(
            "INSERT INTO users (username, password_hash, role, disabled, created_at, agent_id)"
            " VALUES (?, ?, ?, FALSE, ?, ?)",
            [username, hash_password(password), role, now, agent_id],
        )
    logger.info("added user %s (%s)", username, role)
    return User(username, role, False, now, agent_id)


def get_user(con: duckdb.DuckDBPyConnection, username: str) -> User | None:
    row = con.execute(
        "SELECT username, role, disabled, created_at, agent_id FROM users WHERE username = ?", [username]
    ).fetchone()
    return User(*row) if row else None


def list_users(con: duckdb.DuckDBPyConnection) -> list[User]:
    rows = con.execute("SELECT username, role, disabled, created_at, agent_id FROM users ORDER BY username").fetchall()
    return [User(*r) for r in rows]


def _update_user(con: duckdb.DuckDBPyConnection, username: str, sql: str, params: list) -> None:
    with transaction(con):
        if not con.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
            raise NotFoundError(f"no user {username!r}; see 'qa-pipeline users list'")
        con.execute(sql, [*params, username])


def set_role(con: duckdb.DuckDBPyConnection, username: str, role: str, agent_id: str | None = None) -> None:
    """Change the role; an agent needs ``agent_id``, any other role has it cleared."""
    _check_role(role)
    _check_agent_id(role, agent_id)
    _update_user(con, username, "UPDATE users SET role = ?, agent_id = ? WHERE username = ?", [role, agent_id])


def set_disabled(con: duckdb.DuckDBPyConnection, username: str, disabled: bool) -> None:
    _update_user(con, username, "UPDATE users SET disabled = ? WHERE username = ?", [disabled])


def set_password(con: duckdb.DuckDBPyConnection, username: str, password: str) -> None:
    _check_password(password)
    _update_user(con, username, "UPDATE users SET password_hash = ? WHERE username = ?", [hash_password(password)])


@dataclass(frozen=True)
class Credentials:
    """What a sign-in needs from the database: the user (None when unknown) and the stored hash."""

    user: User | None
    password_hash: str


def credentials(con: duckdb.DuckDBPyConnection, username: str) -> Credentials:
    """Read the user and hash (one short database unit; the hash is checked afterwards, outside it)."""
    row = con.execute(
        "SELECT username, role, disabled, created_at, agent_id, password_hash FROM users WHERE username = ?", [username]
    ).fetchone()
    if row is None:
        return Credentials(None, _DUMMY_HASH)
    return Credentials(User(*row[:5]), row[5])


def check_password(creds: Credentials, password: str) -> User | None:
    """The user when the password matches and the account is enabled, else ``None`` (same cost either way)."""
    ok = verify_password(password, creds.password_hash)
    if not ok or creds.user is None or creds.user.disabled:
        return None
    return creds.user


def upgrade_hash(con: duckdb.DuckDBPyConnection, username: str, old_hash: str, new_hash: str) -> bool:
    """Store ``new_hash`` (made by :func:`hash_password` outside any lock) in place of an old-scheme hash,
    only if the stored hash is still ``old_hash`` (not changed meanwhile)."""
    new = new_hash
    changed = con.execute(
        "UPDATE users SET password_hash = ? WHERE username = ? AND password_hash = ? RETURNING username",
        [new, username, old_hash],
    ).fetchall()
    if changed:
        logger.info("password hash of %s upgraded to Argon2id", username)
    return bool(changed)


def authenticate(con: duckdb.DuckDBPyConnection, username: str, password: str) -> User | None:
    """The user when the password matches and the account is enabled, else ``None`` (CLI and tests; the
    web sign-in splits this in :func:`credentials` and :func:`check_password` to hash outside its lock)."""
    return check_password(credentials(con, username), password)


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


ConnectionOpener = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)


def _epoch(ts: datetime) -> float:
    return ts.replace(tzinfo=UTC).timestamp()


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
                con.execute(
                    "INSERT INTO web_sessions VALUES (?, ?, ?, ?, ?)",
                    [_token_hash(s.token), username, s.csrf, _utc(now), _utc(now)],
                )
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
                con.execute(
                    "UPDATE web_sessions SET last_seen_at = ? WHERE token_sha256 = ?", [_utc(now), _token_hash(token)]
                )
        return s

    def user_of(self, con: duckdb.DuckDBPyConnection, session: Session) -> User | None:
        """The session's user, read through ``con`` on every request: None when the user was deleted
        or disabled, or the session was signed out (its row deleted) on any server sharing the table."""
        if self.opener is not None:
            row = con.execute(
                "SELECT 1 FROM web_sessions WHERE token_sha256 = ?", [_token_hash(session.token)]
            ).fetchone()
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
