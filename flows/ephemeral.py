"""Prefect's temporary API server, for runs without ``PREFECT_API_URL``.

Two things the nightly run needs that Prefect's defaults do not give:

* **Time to start.**  Prefect waits 20 s for the temporary server, which on a
  fresh ``PREFECT_HOME`` first migrates its SQLite database; on a busy 2-core
  machine that can take longer, and the whole night's run would fail before
  its first call.  :func:`temporary_server_settings` raises the default to
  ``STARTUP_TIMEOUT_S``; ``PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS``
  set by the user still wins.
* **No servers left behind.**  The temporary server is a child process
  (``python -m uvicorn … prefect.server.api.server:create_app`` with
  ``PREFECT__SERVER_EPHEMERAL=1`` in its environment) that Prefect stops when
  the run exits.  ``kill -9``, the OOM killer or a scheduler's hard timeout
  skip that clean-up: the server is re-parented and keeps its port and a few
  hundred MB, one more after every such night.  :func:`reap_orphaned_servers`
  runs before each in-process run and stops those servers.

A server counts as orphaned only when all of these hold: it belongs to this
user, its command line is Prefect's temporary server, its environment marks
it ephemeral, and its parent is gone — re-parented to PID 1 or to a process
that is not a Python interpreter (a subreaper such as ``tini`` or
``systemd --user``).  A temporary server whose run is still alive, and a
``prefect server start`` server, are never touched.
"""

from __future__ import annotations

import logging
import os
from contextlib import AbstractContextManager

import psutil

logger = logging.getLogger("flows.ephemeral")

SERVER_APP = "prefect.server.api.server:create_app"
EPHEMERAL_ENV = "PREFECT__SERVER_EPHEMERAL"
STOP_WAIT_S = 5.0
STARTUP_TIMEOUT_S = 120


def temporary_server_settings() -> AbstractContextManager[object]:
    """Prefect settings for a run: the temporary server may take up to ``STARTUP_TIMEOUT_S`` to start."""
    from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, temporary_settings

    return temporary_settings(set_defaults={PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS: STARTUP_TIMEOUT_S})


def _is_temporary_server(proc: psutil.Process) -> bool:
    cmdline = proc.cmdline()
    if "uvicorn" not in cmdline or SERVER_APP not in cmdline:
        return False
    return proc.environ().get(EPHEMERAL_ENV) == "1"


def _parent_gone(proc: psutil.Process) -> bool:
    parent = proc.parent()
    if parent is None or parent.pid == 1:
        return True
    return "python" not in os.path.basename(parent.exe() or parent.name()).lower()


def orphaned_servers() -> list[psutil.Process]:
    """This user's Prefect temporary API servers whose run is gone."""
    me = os.getuid() if hasattr(os, "getuid") else None
    found = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if me is not None and proc.uids().real != me:
                continue
            if _is_temporary_server(proc) and _parent_gone(proc):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def reap_orphaned_servers() -> list[int]:
    """Terminate orphaned temporary servers (SIGTERM, then SIGKILL after ``STOP_WAIT_S``); their PIDs."""
    try:
        servers = orphaned_servers()
    except (psutil.Error, OSError) as exc:  # never let housekeeping stop a night's run
        logger.warning("could not look for Prefect temporary servers left by a killed run: %s", exc)
        return []
    for proc in servers:
        logger.warning("stopping Prefect temporary API server pid %d, left running by a run that was killed", proc.pid)
        try:
            proc.terminate()
        except psutil.NoSuchProcess:
            continue
    _, alive = psutil.wait_procs(servers, timeout=STOP_WAIT_S)
    for proc in alive:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    return [p.pid for p in servers]


def api_url() -> str | None:
    """The Prefect API this process talks to (``PREFECT_API_URL`` or the active profile), or None."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    return str(url) if url else None
