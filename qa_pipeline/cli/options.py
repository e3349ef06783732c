"""Shared CLI option types: every option with a fixed set of values is an enum, so ``--help`` and shell
completion list the choices and a wrong value is refused with them named.

The values are the library's own (roles from :data:`qa_pipeline.review.auth.ROLES`, export tables from
:data:`qa_pipeline.review.export.TABLES`, ASR backends and models from :mod:`qa_pipeline.settings`), so a
choice added there appears here without a second list to keep in step.
"""

from __future__ import annotations

from enum import StrEnum

from qa_pipeline.review.auth import ROLES
from qa_pipeline.review.export import TABLES
from qa_pipeline.settings import Backend, Model

__all__ = [
    "AgentChannel",
    "Backend",
    "ComputeType",
    "ExportFormat",
    "ExportTable",
    "Model",
    "Precision",
    "Role",
]


class AgentChannel(StrEnum):
    """Stereo calls: the agent's channel (``auto``: decided per call from what each side says)."""

    auto = "auto"
    left = "0"
    right = "1"


class Precision(StrEnum):
    """Classifier encoder maths."""

    auto = "auto"
    float32 = "float32"
    bfloat16 = "bfloat16"


class ComputeType(StrEnum):
    """faster-whisper (CTranslate2) compute types used on CPU."""

    int8 = "int8"
    int8_float32 = "int8_float32"
    float32 = "float32"


class WhisperEncoder(StrEnum):
    """Where faster-whisper runs Whisper's audio encoder (qa_pipeline/asr/torch_encoder.py)."""

    auto = "auto"
    ctranslate2 = "ctranslate2"
    torch_bf16 = "torch-bf16"
    torch_float32 = "torch-float32"


ENCODER_HELP = (
    "faster-whisper only: Whisper's audio encoder on ctranslate2 (int8, the default) or torch-bf16 (PyTorch "
    "bfloat16: 3x faster on a CPU with AMX, see docs/asr.md); auto = torch-bf16 on a CPU with AMX."
)


class ExportFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


# built from the library's tuples (functional API): a role or table added there is a choice here
Role = StrEnum("Role", {r: r for r in ROLES})  # type: ignore[misc]
ExportTable = StrEnum("ExportTable", {t: t for t in TABLES})  # type: ignore[misc]
