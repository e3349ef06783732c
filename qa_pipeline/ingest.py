"""Finding recordings, reading their metadata, and the content-derived ``call_id``.

Metadata comes from an optional sidecar manifest in the input folder
(``manifest.csv`` or ``manifest.json``, or a file given explicitly).  Its
format is documented in ``docs/ingest.md``.  Unknown metadata stays empty —
it is never invented.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qa_pipeline.errors import InputError
from qa_pipeline.kpi.fields import parse_kpi_fields

logger = logging.getLogger("qa_pipeline.ingest")

AUDIO_EXTENSIONS = frozenset({".wav", ".flac", ".mp3", ".ogg", ".opus", ".oga"})
TRANSCRIPT_SUFFIX = ".transcript.json"  # chats and outside transcripts: qa_pipeline/transcript_file.py
MANIFEST_NAMES = ("manifest.csv", "manifest.json")
MANIFEST_FIELDS = (
    "file",
    "agent_id",
    "agent_name",
    "queue",
    "started_at",
    "direction",
    "customer_ref",
    "agent_channel",
    "external_id",
)
DIRECTIONS = frozenset({"inbound", "outbound"})
CALL_ID_HEX = 16


@dataclass(frozen=True)
class CallMetadata:
    """What the contact centre's systems say about a call; every field may be unknown."""

    agent_id: str | None = None
    agent_name: str | None = None
    queue: str | None = None
    started_at: datetime | None = None
    direction: str | None = None
    customer_ref: str | None = None
    agent_channel: int | None = None  # stereo: the agent's channel for this call (overrides auto / --agent-channel)
    external_id: str | None = None  # the phone system's / CRM's call reference: one call however often exported

    # the manifest's other columns, kept as exported (stored as JSON in calls.manifest_extra)
    extra: dict[str, str] = field(default_factory=dict, hash=False)
    # the KPI fields among them, validated (qa_pipeline/kpi/fields.py): team, csat, nps, wrap_s, transferred, hold_s
    kpi: dict[str, Any] = field(default_factory=dict, hash=False)
    # one message per KPI value that was invalid (left empty); recorded as failures (stage manifest)
    kpi_problems: tuple[str, ...] = field(default=(), hash=False)
    # why the call has no metadata although a manifest was given (unreadable manifest): flagged
    missing_reason: str | None = None

    def merged(self, other: CallMetadata) -> CallMetadata:
        """These fields, with the ones unknown here taken from ``other`` (same audio under two names)."""
        known = {k: v if v is not None else getattr(other, k) for k, v in vars(self).items()}
        known["extra"] = {**other.extra, **self.extra}
        known["kpi"] = {**other.kpi, **self.kpi}
        known["kpi_problems"] = self.kpi_problems or other.kpi_problems
        return CallMetadata(**known)


@dataclass(frozen=True)
class Recording:
    """A recording found on disk, identified by its content."""

    path: Path
    call_id: str
    file_sha256: str
    size: int
    metadata: CallMetadata = field(default_factory=CallMetadata)


@dataclass(frozen=True)
class Problem:
    """A file or manifest row that could not be taken this run, and why."""

    path: str
    stage: str
    error_type: str
    reason: str

    @classmethod
    def manifest(cls, path: str | Path, reason: str) -> Problem:
        """A manifest (or one of its rows) that could not be taken."""
        return cls(path=str(path), stage="manifest", error_type="InputError", reason=reason)

    @classmethod
    def discover(cls, path: str | Path, reason: str, error_type: str = "InputError") -> Problem:
        """A file found below the input folder that could not be taken this run."""
        return cls(path=str(path), stage="discover", error_type=error_type, reason=reason)


@dataclass(frozen=True)
class Discovery:
    recordings: tuple[Recording, ...]
    problems: tuple[Problem, ...]
    duplicates: tuple[tuple[Path, str], ...] = ()  # (path, call_id of the first copy)
    manifest_encoding: str | None = None  # the text encoding the manifest was read with


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def call_id_for(sha256_hex: str) -> str:
    """The call id: the first 16 hex digits of the recording's SHA-256."""
    return sha256_hex[:CALL_ID_HEX]


def find_audio_files(input_dir: Path) -> list[Path]:
    """Every recording below ``input_dir`` (audio extension or ``*.transcript.json``), sorted, hidden files skipped."""
    found = []
    for root, dirs, files in os.walk(input_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            p = Path(root) / name
            if p.suffix.lower() in AUDIO_EXTENSIONS or name.lower().endswith(TRANSCRIPT_SUFFIX):
                found.append(p)
    return found


def parse_metadata_row(row: Mapping[str, object], where: str) -> tuple[str, CallMetadata]:
    """One manifest row (or a transcript file's metadata keys) → (file, metadata); unknown columns are kept in ``extra``."""
    extra = {
        str(k).strip(): ("" if v is None else str(v).strip())
        for k, v in row.items()
        if k not in MANIFEST_FIELDS and k is not None and str(k).strip()
    }
    extra = {k: v for k, v in extra.items() if v != ""}

    def text(key: str) -> str | None:
        value = row.get(key)
        if value is None:
            return None
        value = str(value).strip()
        return value or None

    file = text("file")
    if not file:
        raise InputError(
            f"{where}: the 'file' column is empty; give the recording's path relative to the manifest", stage="manifest"
        )
    started = text("started_at")
    started_at = None
    if started:
        try:
            started_at = datetime.fromisoformat(started.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(
                f"{where}: started_at {started!r} is not an ISO 8601 time; write e.g. 2026-11-20T09:15:00",
                stage="manifest",
            ) from None
        if started_at.tzinfo is not None:
            started_at = started_at.astimezone(UTC).replace(tzinfo=None)  # stored as naive UTC
    direction = text("direction")
    if direction is not None:
        direction = direction.lower()
        if direction not in DIRECTIONS:
            raise InputError(f"{where}: direction {direction!r} is not one of inbound, outbound", stage="manifest")
    agent_channel = text("agent_channel")
    if agent_channel is not None and agent_channel not in ("0", "1"):
        raise InputError(
            f"{where}: agent_channel {agent_channel!r} is not 0 (left) or 1 (right); leave it empty to decide from the words",
            stage="manifest",
        )
    kpi, kpi_problems = parse_kpi_fields(row, where)
    return file, CallMetadata(
        agent_id=text("agent_id"),
        agent_name=text("agent_name"),
        queue=text("queue"),
        started_at=started_at,
        direction=direction,
        customer_ref=text("customer_ref"),
        agent_channel=None if agent_channel is None else int(agent_channel),
        external_id=text("external_id"),
        extra=extra,
        kpi=kpi,
        kpi_problems=tuple(kpi_problems),
    )


MANIFEST_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


def read_manifest_text(path: Path) -> tuple[str, str]:
    """The manifest's text and the encoding that read it: UTF-8 (with or without a BOM), else the
    encodings spreadsheets write (Windows-1252, then Latin-1, which reads any bytes)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"{path}: cannot read the manifest ({exc.strerror or exc}); check its permissions",
            path=str(path),
            stage="manifest",
        ) from exc
    for encoding in MANIFEST_ENCODINGS:
        try:
            return data.decode(encoding), ("utf-8" if encoding == "utf-8-sig" else encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def _mapped(name: object, columns: Mapping[str, str]) -> object:
    if not isinstance(name, str):
        return name
    key = name.strip()
    return columns.get(key, columns.get(key.lower(), key))


def check_column_mapping(columns: Mapping[str, str]) -> None:
    """Every mapping target must be a manifest field (``agent`` → ``agent_id``)."""
    for source, target in columns.items():
        if target not in MANIFEST_FIELDS:
            raise InputError(
                f"manifest column mapping {source!r} -> {target!r}: {target!r} is not a manifest field; "
                f"map to one of {', '.join(MANIFEST_FIELDS)}",
                stage="manifest",
            )


def read_manifest(
    path: Path, columns: Mapping[str, str] | None = None, *, encoding_out: list[str] | None = None
) -> tuple[dict[str, CallMetadata], list[Problem]]:
    """Read a CSV or JSON manifest.

    Returns metadata keyed by the recording path (resolved), and one
    :class:`Problem` per broken or duplicate row — a broken row never stops the
    run; its recording is still processed, with empty metadata.  Columns that
    are not manifest fields are kept per call (``CallMetadata.extra``);
    ``columns`` renames exported columns to manifest fields first (``{"agent":
    "agent_id"}``).  A manifest that cannot be read at all raises
    :class:`InputError` (``discover`` turns it into one problem).  The encoding
    used is appended to ``encoding_out``.
    """
    columns = dict(columns or {})
    check_column_mapping(columns)
    text, encoding = read_manifest_text(path)
    if encoding_out is not None:
        encoding_out.append(encoding)
    if encoding != "utf-8":
        logger.warning("%s is not UTF-8; read it as %s (save it as UTF-8 to be sure of accents)", path, encoding)
    rows: list[tuple[str, Mapping[str, object]]] = []
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
            if isinstance(data, dict) and "calls" in data:
                data = data["calls"]
            if not isinstance(data, list):
                raise InputError(
                    f'{path}: expected a JSON list of objects (or {{"calls": [...]}})', path=str(path), stage="manifest"
                )
            for i, item in enumerate(data):
                item = {_mapped(k, columns): v for k, v in item.items()} if isinstance(item, dict) else {"file": None}
                rows.append((f"{path} [item {i}]", item))
        else:
            reader = csv.DictReader(io.StringIO(text, newline=""))
            if reader.fieldnames:
                reader.fieldnames = [_mapped(n, columns) for n in reader.fieldnames]  # type: ignore[misc]
            for i, csv_row in enumerate(reader, start=2):
                extra = csv_row.pop(None, None)
                if extra:
                    csv_row["__extra__"] = ",".join(extra)
                rows.append((f"{path} line {i}", csv_row))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); fix the JSON",
            path=str(path),
            stage="manifest",
        ) from exc
    except csv.Error as exc:
        raise InputError(
            f"{path}: cannot read the manifest as CSV ({exc}); fix or remove it", path=str(path), stage="manifest"
        ) from exc

    out: dict[str, CallMetadata] = {}
    first: dict[str, str] = {}
    problems: list[Problem] = []
    for where, row in rows:
        try:
            if "__extra__" in row:
                raise InputError(
                    f"{where}: more values than columns; quote values that contain commas", stage="manifest"
                )
            file, meta = parse_metadata_row(row, where)
        except InputError as exc:
            problems.append(Problem.manifest(path, str(exc)))
            continue
        problems.extend(
            Problem(path=str(path), stage="manifest", error_type="InputError", reason=reason)
            for reason in meta.kpi_problems
        )
        key = str((path.parent / file).resolve())
        if key in first:
            problems.append(
                Problem.manifest(
                    path,
                    f"{where}: a second row for {file!r} (first: {first[key]}); the first row is used — remove the duplicate",
                )
            )
            continue
        first[key] = where
        out[key] = meta
    return out, problems


def find_manifest(input_dir: Path) -> Path | None:
    for name in MANIFEST_NAMES:
        candidate = input_dir / name
        if candidate.is_file():
            return candidate
    return None


def _stat_all(paths: Iterable[Path]) -> dict[Path, tuple[int, int] | None]:
    out: dict[Path, tuple[int, int] | None] = {}
    for p in paths:
        try:
            st = p.stat()
            out[p] = (st.st_size, st.st_mtime_ns)
        except OSError:
            out[p] = None
    return out


def discover(
    input_dir: str | Path,
    *,
    manifest: str | Path | None = None,
    settle_s: float = 1.0,
    columns: Mapping[str, str] | None = None,
) -> Discovery:
    """Find the recordings below ``input_dir`` and hash them.

    Files whose size or modification time changes during ``settle_s`` seconds
    are still being written: they are reported as problems and picked up by
    the next run.  Unreadable files are problems too; nothing here raises for
    one bad file.
    """
    input_dir = Path(input_dir)
    if not input_dir.is_dir():
        raise InputError(
            f"input folder {input_dir} does not exist or is not a folder; pass the folder of recordings",
            path=str(input_dir),
        )
    problems: list[Problem] = []
    metadata: dict[str, CallMetadata] = {}
    unreadable: str | None = None
    manifest_encoding: str | None = None
    manifest_path = Path(manifest) if manifest else find_manifest(input_dir)
    if manifest_path is not None:
        if not manifest_path.is_file():
            raise InputError(
                f"manifest {manifest_path} does not exist; pass an existing CSV or JSON file",
                path=str(manifest_path),
                stage="manifest",
            )
        encodings: list[str] = []
        try:
            metadata, manifest_problems = read_manifest(manifest_path, columns, encoding_out=encodings)
        except InputError as exc:
            # one recorded failure; every recording is still scored, without metadata, and flagged
            problems.append(Problem.manifest(manifest_path, str(exc)))
            unreadable = f"the manifest {manifest_path} could not be read: {exc}"
        else:
            problems.extend(manifest_problems)
        manifest_encoding = encodings[0] if encodings else None

    files = find_audio_files(input_dir)
    before = _stat_all(files)
    if settle_s > 0 and files:
        time.sleep(settle_s)
    after = _stat_all(files)

    recordings: list[Recording] = []
    seen: dict[str, Path] = {}
    first: dict[str, int] = {}  # call_id -> index in recordings
    duplicates: list[tuple[Path, str]] = []
    for p in files:
        if before[p] != after[p] or after[p] is None:
            if after[p] is None:
                reason = f"{p}: the file disappeared or cannot be read; check permissions"
            else:
                reason = f"{p}: the file is still being written (size changed while scanning); it will be picked up by the next run"
            problems.append(Problem.discover(p, reason))
            continue
        size = after[p][0]  # type: ignore[index]
        if size == 0:
            problems.append(
                Problem.discover(
                    p, f"{p}: the file is empty (0 bytes); re-export the recording or remove it", "AudioDecodeError"
                )
            )
            continue
        try:
            digest = file_sha256(p)
        except OSError as exc:
            problems.append(
                Problem.discover(p, f"{p}: cannot read the file ({exc.strerror or exc}); check its permissions")
            )
            continue
        cid = call_id_for(digest)
        meta = metadata.get(str(p.resolve())) or CallMetadata(missing_reason=unreadable)
        if cid in seen:
            duplicates.append((p, cid))
            # the same audio under two names: one call, with the metadata of both (the first copy's wins)
            kept = recordings[first[cid]]
            recordings[first[cid]] = replace(kept, metadata=kept.metadata.merged(meta))
            logger.info(
                "%s has the same audio as %s (call %s); skipped, its manifest metadata merged", p, seen[cid], cid
            )
            continue
        seen[cid] = p
        first[cid] = len(recordings)
        recordings.append(Recording(path=p, call_id=cid, file_sha256=digest, size=size, metadata=meta))
    if manifest_path is not None:
        problems.extend(_rows_without_files(manifest_path, metadata, files))
    return Discovery(
        recordings=tuple(recordings),
        problems=tuple(problems),
        duplicates=tuple(duplicates),
        manifest_encoding=manifest_encoding,
    )


def _rows_without_files(manifest: Path, metadata: Mapping[str, CallMetadata], files: Iterable[Path]) -> list[Problem]:
    """Manifest rows that name a recording not found below the input folder: reported, never silently dropped."""
    found = {str(p.resolve()) for p in files}
    return [
        Problem.manifest(
            manifest,
            f"{manifest}: the row for {key} names a recording that is not in the input folder; "
            "fix the 'file' column or add the recording",
        )
        for key in sorted(set(metadata) - found)
    ]
