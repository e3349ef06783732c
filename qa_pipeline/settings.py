"""One settings file for every command: the file, then ``QA_PIPELINE_*`` environment variables, then flags.

Where the file is: ``--config PATH`` (before the command: ``qa-pipeline --config site.toml run …``), else
``$QA_PIPELINE_CONFIG``, else ``./qa-pipeline.toml`` when it exists; without one the built-in defaults
apply.  The file is TOML (``.toml``) or YAML (``.yaml``/``.yml``); unknown keys are errors naming their
path.  Environment variables override the file: ``QA_PIPELINE_DB``, ``QA_PIPELINE_ASR__MODEL``,
``QA_PIPELINE_SERVER__PORT`` (``__`` between a section and its key).  Flags given on the command line
override both; the CLI feeds the settings to its commands as their option defaults.  The reference is
``docs/settings.md``; ``qa-pipeline config show`` prints the effective settings and where each came from.
"""

from __future__ import annotations

import enum
import os
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from qa_pipeline.asr.base import DEFAULT_BEAM_SIZE
from qa_pipeline.errors import ConfigError
from qa_pipeline.ingest import MANIFEST_FIELDS
from qa_pipeline.redact.types import RedactionConfig

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_CONFIG",
    "ENV_PREFIX",
    "SCORECARDS_ENV",
    "Backend",
    "LoadedSettings",
    "Model",
    "Settings",
    "find_config",
    "load_settings",
]

ENV_PREFIX = "QA_PIPELINE_"
CONFIG_ENV = "QA_PIPELINE_CONFIG"
SCORECARDS_ENV = "QA_PIPELINE_SCORECARDS"  # read by paths.scorecards_dir()
DEFAULT_CONFIG = Path("qa-pipeline.toml")


class Backend(enum.StrEnum):
    """ASR backends."""

    faster_whisper = "faster-whisper"
    openai_whisper = "openai-whisper"


class Model(enum.StrEnum):
    """Whisper models in the registry."""

    tiny_en = "tiny.en"
    base = "base"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AsrSettings(_Section):
    backend: Backend = Backend.faster_whisper
    model: Model = Model.tiny_en
    language: str = "en"
    beam_size: int = Field(default=DEFAULT_BEAM_SIZE, ge=1, le=20)


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=1, le=65535)
    forwarded_allow_ips: str | None = None
    secure_cookies: bool = False
    busy_timeout: float = Field(default=15.0, gt=0)
    playback_cache: Path | None = None


class ManifestSettings(_Section):
    """``columns``: exported column name → manifest field (``agent = "agent_id"``)."""

    columns: dict[str, str] = Field(default_factory=dict)

    @field_validator("columns")
    @classmethod
    def _targets(cls, value: dict[str, str]) -> dict[str, str]:
        bad = {k: v for k, v in value.items() if v not in MANIFEST_FIELDS}
        if bad:
            raise ValueError(f"{bad} map to no manifest field; map to one of {', '.join(MANIFEST_FIELDS)}")
        return value


class ReviewSettings(_Section):
    """The weekly review sample: unflagged calls per agent and the seed of the draw."""

    sample_quota: int = Field(default=5, ge=1)
    sample_seed: int = 0


class Settings(BaseSettings):
    """Every setting, with its default."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid", case_sensitive=False
    )

    db: Path = Path("qa.duckdb")
    recordings_root: Path | None = None
    scorecards: Path | None = None
    asr: AsrSettings = Field(default_factory=AsrSettings)
    redaction: RedactionConfig = Field(default_factory=RedactionConfig)
    server: ServerSettings = Field(default_factory=ServerSettings)
    manifest: ManifestSettings = Field(default_factory=ManifestSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return env_settings, init_settings  # the environment wins over the file (passed in as init values)


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    path: Path | None  # the settings file read, if any
    origins: dict[str, str]  # dotted key -> "default" | "file PATH" | "env NAME"

    def rows(self) -> Iterator[tuple[str, Any, str]]:
        for key, value in _leaves(self.settings.model_dump(mode="json")):
            yield key, value, self.origins.get(key, "default")


def find_config(explicit: str | Path | None = None) -> Path | None:
    """The settings file: ``explicit``, else ``$QA_PIPELINE_CONFIG``, else ``./qa-pipeline.toml`` if present."""
    if explicit:
        path = Path(explicit)
    elif os.environ.get(CONFIG_ENV):
        path = Path(os.environ[CONFIG_ENV])
    elif DEFAULT_CONFIG.is_file():
        return DEFAULT_CONFIG
    else:
        return None
    if not path.is_file():
        raise ConfigError(
            f"settings file {path} does not exist; pass an existing .toml or .yaml file (or drop --config / ${CONFIG_ENV})"
        )
    return path


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the settings file ({exc}); save it as UTF-8") from None
    try:
        data = yaml.safe_load(text) if path.suffix.lower() in (".yaml", ".yml") else tomllib.loads(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(
            f"{path}: invalid {'YAML' if path.suffix.lower() in ('.yaml', '.yml') else 'TOML'}: {exc}"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: [top level] expected a table of settings, got {type(data).__name__}")
    return data


def _leaves(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and value and key != "columns":
            yield from _leaves(value, dotted + ".")
        else:
            yield dotted, value


def _env_origins() -> dict[str, str]:
    out: dict[str, str] = {}
    for name in os.environ:
        if (
            name.upper().startswith(ENV_PREFIX)
            and name.upper() != CONFIG_ENV
            and not name.upper().endswith(("HOME", "SHARED"))
        ):
            out[name[len(ENV_PREFIX) :].lower().replace("__", ".")] = f"env {name}"
    return out


def load_settings(config: str | Path | None = None) -> LoadedSettings:
    """Read the settings file (if any) and the environment; errors name the file (or variable) and key."""
    path = find_config(config)
    file_data = _read_file(path) if path else {}
    try:
        settings = Settings(**file_data)
    except ValidationError as exc:
        where = str(path) if path else "environment"
        lines = [f"{where}: [{' -> '.join(map(str, e['loc'])) or 'top level'}] {e['msg']}" for e in exc.errors()]
        raise ConfigError("\n".join(lines) + "\nsee docs/settings.md for the keys") from None
    origins = {k: f"file {path}" for k, _ in _leaves(file_data)}
    env = _env_origins()
    for key in [k for k, _ in _leaves(settings.model_dump(mode="json"))]:
        for ek, origin in env.items():
            if ek == key or key.startswith(ek + "."):
                origins[key] = origin
    return LoadedSettings(settings=settings, path=path, origins=origins)
