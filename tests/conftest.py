"""Shared fixtures.  Slow tests run with ``--slow`` or ``QA_SLOW=1``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="qa-prefect-home-"))

REPO = Path(__file__).resolve().parent.parent
SHARED_ASR = REPO.parent / "shared" / "data" / "asr"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", default=False, help="also run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow") or os.environ.get("QA_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: run with --slow or QA_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def prefect_harness():
    """A throw-away Prefect API (SQLite in a temp dir) for flow tests."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def shared_asr() -> Path:
    if not SHARED_ASR.is_dir():
        pytest.skip(f"measuring data not found at {SHARED_ASR} (../shared beside the checkout)")
    return SHARED_ASR


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "qa.duckdb"
