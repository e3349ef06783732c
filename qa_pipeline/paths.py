"""Where the project's own files live (models, scorecards, samples).

The package is installed in editable mode from the repository, so the data
directories sit beside it.  ``QA_PIPELINE_HOME`` overrides the root (used by
tests and by deployments that keep models elsewhere).
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    env = os.environ.get("QA_PIPELINE_HOME")
    if env:
        return Path(env).expanduser().resolve()
    return Path(__file__).resolve().parent.parent


def models_dir() -> Path:
    return project_root() / "models"


def scorecards_dir() -> Path:
    """``$QA_PIPELINE_SCORECARDS`` (the settings file's ``scorecards``, set by the CLI), else ``scorecards/``."""
    env = os.environ.get("QA_PIPELINE_SCORECARDS")
    return Path(env) if env else project_root() / "scorecards"


def samples_dir() -> Path:
    return project_root() / "samples"


def shared_data_dir() -> Path:
    """The measuring data beside the checkout (``../shared/data``)."""
    env = os.environ.get("QA_PIPELINE_SHARED")
    if env:
        return Path(env).expanduser().resolve() / "data"
    return project_root().parent / "shared" / "data"


def beside_database(db: str | Path, suffix: str) -> Path:
    """``<db><suffix>`` beside the database's real file (a symlink or ``..`` path to the same database finds
    the same file): its run lock, its waiting-process lock."""
    real = Path(db).expanduser().resolve()
    return real.with_name(real.name + suffix)
