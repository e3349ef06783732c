"""``qa-pipeline`` command line.  Each module registers its own commands."""

from qa_pipeline.cli import (  # noqa: F401  (imports register commands)
    asr,
    classify,
    config,
    diarize,
    docs,
    drivers,
    ingest,
    kpi,
    ops,
    redact,
    review,
    run,
    samples,
    scorecard,
    search,
)
from qa_pipeline.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
