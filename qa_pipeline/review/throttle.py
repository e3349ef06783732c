"""Sign-in throttling: failed sign-ins counted per (user name, client address) and per client address,
kept in the ``login_throttle`` table so a restart of the server does not reset them.

* ``max_failures`` failures for one user name **from one address** refuse that name from that address
  for ``lock_s`` seconds, doubling with each further lock up to ``max_lock_s``; the same name from any
  other address is not affected, so a stranger cannot lock ``admin`` out of the office — and no lock
  lasts longer than ``max_lock_s``, so not even from the stranger's own address for ever.
* ``max_address_failures`` failures from one address (any names) within ``window_s`` refuse every
  sign-in from that address for ``lock_s`` (doubling likewise): guessing across many names is slowed.
* a success clears the (name, address) count; counts fade after ``window_s`` without a failure.

The counters live in memory (read from the table on first use) and every change is written through to
the table when ``opener`` is set.  Memory is bounded: at most ``max_entries`` keys, the oldest dropped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

import duckdb

__all__ = ["LoginThrottle"]

Key = tuple[str, str, str]  # (kind, lower-cased user name or '', client address)
ConnectionOpener = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]


@dataclass
class _Count:
    failures: int = 0
    last: float = 0.0
    until: float = 0.0
    locks: int = 0


@dataclass
class LoginThrottle:
    max_failures: int = 5
    max_address_failures: int = 20
    lock_s: float = 60.0
    max_lock_s: float = 900.0
    window_s: float = 900.0
    max_entries: int = 10_000
    opener: ConnectionOpener | None = None  # a read-write connection to the workspace's database
    clock: Callable[[], float] = time.time  # wall-clock seconds: the counters outlive the process
    _state: dict[Key, _Count] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _loaded: bool = False

    @staticmethod
    def _keys(username: str, client: str) -> tuple[Key, Key]:
        return ("user", username.lower(), client), ("addr", "", client)

    def _load(self) -> None:
        """Read the stored counters once (call with the lock held)."""
        if self._loaded or self.opener is None:
            self._loaded = True
            return
        with self.opener() as con:
            rows = con.execute(
                "SELECT kind, username, client, failures, last_failure, locked_until, locks FROM login_throttle"
                " ORDER BY last_failure"
            ).fetchall()
        for kind, user, client, failures, last, until, locks in rows[-self.max_entries :]:
            self._state[(kind, user, client)] = _Count(failures, last, until, locks)
        self._loaded = True

    def blocked(self, username: str, client: str = "") -> float:
        """Seconds until a sign-in as ``username`` from ``client`` is accepted again (0.0: now)."""
        now = self.clock()
        with self._lock:
            self._load()
            until = max((self._state[k].until for k in self._keys(username, client) if k in self._state), default=0.0)
        return max(0.0, until - now)

    def failed(self, username: str, client: str = "") -> bool:
        """Count a failure; True when it started a lock (the caller records a throttled event)."""
        now = self.clock()
        started = False
        changed: list[tuple[Key, _Count]] = []
        dropped: list[Key] = []
        with self._lock:
            self._load()
            for key, limit in zip(self._keys(username, client), (self.max_failures, self.max_address_failures)):
                st = self._state.pop(key, None)
                if st is None or now - st.last > self.window_s:
                    st = _Count(locks=st.locks if st is not None and now < st.until + self.window_s else 0)
                st.failures += 1
                st.last = now
                if st.failures >= limit and st.until <= now:
                    st.until = now + min(self.lock_s * 2**st.locks, self.max_lock_s)
                    st.locks += 1
                    st.failures = 0
                    started = True
                self._state[key] = st  # re-inserted: the dict's order is oldest change first
                changed.append((key, _Count(st.failures, st.last, st.until, st.locks)))
            while len(self._state) > self.max_entries:
                old = next(iter(self._state))
                self._state.pop(old)
                dropped.append(old)
        self._store(changed, dropped, now)
        return started

    def succeeded(self, username: str, client: str = "") -> None:
        key = self._keys(username, client)[0]
        with self._lock:
            self._load()
            had = self._state.pop(key, None)
        if had is not None:
            self._store([], [key], self.clock())

    def _store(self, changed: list[tuple[Key, _Count]], dropped: list[Key], now: float) -> None:
        if self.opener is None:
            return
        with self.opener() as con:
            for (kind, user, client), st in changed:
                con.execute(
                    "INSERT OR REPLACE INTO login_throttle VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [kind, user, client, st.failures, st.last, st.until, st.locks],
                )
            for kind, user, client in dropped:
                con.execute(
                    "DELETE FROM login_throttle WHERE kind = ? AND username = ? AND client = ?", [kind, user, client]
                )
            if changed:  # counts that have faded and locks that have ended
                con.execute(
                    "DELETE FROM login_throttle WHERE last_failure < ? AND locked_until < ?",
                    [now - self.window_s, now - self.window_s],
                )
