"""Convert the packaged CTranslate2 Whisper weights into openai-whisper's checkpoint.

The pinned model packages carry CTranslate2's ``model.bin``; openai-whisper
loads a ``torch.save``'d ``{"dims": ..., "model_state_dict": ...}``.  This
module parses CTranslate2's binary format itself (layout from
``ctranslate2/specs/model_spec.py``: ``ModelSpec._serialize``), undoes the
layer fusions CTranslate2's Whisper converter applies (query/key/value in one
matrix, cross-attention key/value in one matrix, tied output projection),
dequantizes int8 weights, and writes ``models/whisper-pt/<model>.pt`` with a
``.sha256`` sidecar.  Run once with ``qa-pipeline models convert``; the
openai-whisper backend also converts on first use.

CTranslate2 binary layout (version 6, little-endian)::

    u32 version, str spec_name, u32 revision, u32 n_variables,
    n_variables × (str name, u8 rank, rank × u32 dim, u8 dtype, u32 n_bytes, bytes),
    u32 n_aliases, n_aliases × (str alias, str target)
    str = u16 length including NUL, utf-8 bytes, NUL
    dtype ids: 0 float32, 1 int8, 2 int16, 3 int32, 4 float16, 5 bfloat16
"""

from __future__ import annotations

import logging
import os
import re
import struct
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa_pipeline.asr import weights
from qa_pipeline.errors import ModelNotAvailableError
from qa_pipeline.paths import models_dir

logger = logging.getLogger("qa_pipeline.asr.convert")

CONVERTER_VERSION = 1
SUPPORTED_BINARY_VERSIONS = (5, 6)
_DTYPES: tuple[np.dtype | None, ...] = (
    np.dtype("<f4"),
    np.dtype("i1"),
    np.dtype("<i2"),
    np.dtype("<i4"),
    np.dtype("<f2"),
    None,  # bfloat16: read as uint16 and widened
)


@dataclass(frozen=True)
class Ct2Model:
    """The variables of a CTranslate2 ``model.bin``, aliases resolved."""

    spec: str
    revision: int
    binary_version: int
    variables: Mapping[str, np.ndarray]


@dataclass(frozen=True)
class ConversionResult:
    model: str
    path: Path
    sha256: str
    seconds: float
    dims: Mapping[str, int]
    converted: bool  # False when an up-to-date checkpoint was already there


class _Reader:
    def __init__(self, data: memoryview, path: Path) -> None:
        self.data = data
        self.off = 0
        self.path = path

    def unpack(self, fmt: str) -> int:
        try:
            (value,) = struct.unpack_from("<" + fmt, self.data, self.off)
        except struct.error as exc:
            raise ModelNotAvailableError(f"{self.path}: truncated CTranslate2 model at byte {self.off}") from exc
        self.off += struct.calcsize("<" + fmt)
        return int(value)

    def string(self) -> str:
        n = self.unpack("H")
        raw = bytes(self.data[self.off : self.off + n - 1])
        self.off += n
        return raw.decode("utf-8")

    def take(self, n: int) -> memoryview:
        if self.off + n > len(self.data):
            raise ModelNotAvailableError(f"{self.path}: truncated CTranslate2 model at byte {self.off}")
        view = self.data[self.off : self.off + n]
        self.off += n
        return view


def read_ct2_model(path: Path) -> Ct2Model:
    """Parse a CTranslate2 ``model.bin`` into numpy arrays (bfloat16 widened to float32)."""
    data = memoryview(Path(path).read_bytes())
    r = _Reader(data, Path(path))
    version = r.unpack("I")
    if version not in SUPPORTED_BINARY_VERSIONS:
        raise ModelNotAvailableError(
            f"{path}: CTranslate2 binary version {version} is not supported (supported: "
            f"{', '.join(map(str, SUPPORTED_BINARY_VERSIONS))}); use the pinned model package"
        )
    spec = r.string()
    revision = r.unpack("I")
    variables: dict[str, np.ndarray] = {}
    for _ in range(r.unpack("I")):
        name = r.string()
        shape = tuple(r.unpack("I") for _ in range(r.unpack("B")))
        type_id = r.unpack("B")
        n_bytes = r.unpack("I")
        raw = r.take(n_bytes)
        if type_id >= len(_DTYPES):
            raise ModelNotAvailableError(f"{path}: variable {name} has unknown dtype id {type_id}")
        dtype = _DTYPES[type_id]
        if dtype is None:  # bfloat16 → float32 by shifting into the high half
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            arr = np.frombuffer(raw, dtype=dtype)
        variables[name] = arr.reshape(shape) if shape else arr.reshape(())
    for _ in range(r.unpack("I")):
        alias, target = r.string(), r.string()
        variables[alias] = variables[target]
    if r.off != len(data):
        logger.warning("%s: %d trailing bytes after the CTranslate2 aliases", path, len(data) - r.off)
    return Ct2Model(spec=spec, revision=revision, binary_version=version, variables=variables)


# --------------------------------------------------------------------------- mapping


class _Mapper:
    """Pulls CTranslate2 variables by name, dequantizing, and remembers which were used."""

    def __init__(self, ct2: Ct2Model, path: Path) -> None:
        self.vars = ct2.variables
        self.used: set[str] = set()
        self.path = path

    def get(self, name: str) -> np.ndarray:
        if name not in self.vars:
            raise ModelNotAvailableError(f"{self.path}: CTranslate2 variable {name!r} is missing; not a Whisper model?")
        self.used.add(name)
        value = self.vars[name]
        scale_name = name + "_scale"
        if value.dtype == np.int8 and scale_name in self.vars:
            self.used.add(scale_name)
            scale = self.vars[scale_name].astype(np.float32)
            flat = value.reshape(value.shape[0], -1).astype(np.float32) / scale.reshape(-1, 1)
            return flat.reshape(value.shape)
        if value.dtype not in (np.float16, np.float32):
            raise ModelNotAvailableError(
                f"{self.path}: variable {name!r} has dtype {value.dtype}, expected a float or int8 weight"
            )
        return value

    def scalar(self, name: str) -> int:
        self.used.add(name)
        return int(self.vars[name])

    def linear(self, out: dict[str, np.ndarray], ct2: str, pt: str, *, bias: bool = True) -> None:
        out[f"{pt}.weight"] = self.get(f"{ct2}/weight")
        if bias:
            out[f"{pt}.bias"] = self.get(f"{ct2}/bias")

    def layer_norm(self, out: dict[str, np.ndarray], ct2: str, pt: str) -> None:
        out[f"{pt}.weight"] = self.get(f"{ct2}/gamma")
        out[f"{pt}.bias"] = self.get(f"{ct2}/beta")

    def split_linear(self, out: dict[str, np.ndarray], ct2: str, targets: tuple[str, ...]) -> None:
        """Split a fused projection; openai-whisper's key projection has no bias (CT2 stores zeros)."""
        w = self.get(f"{ct2}/weight")
        b = self.get(f"{ct2}/bias")
        n = len(targets)
        if w.shape[0] % n:
            raise ModelNotAvailableError(f"{self.path}: {ct2}/weight rows {w.shape[0]} do not split into {n}")
        for target, w_part, b_part in zip(targets, np.split(w, n), np.split(b, n)):
            out[f"{target}.weight"] = w_part
            if target.endswith(".key"):
                if np.any(b_part != 0):
                    raise ModelNotAvailableError(f"{self.path}: {ct2} has a non-zero key bias; openai-whisper has none")
            else:
                out[f"{target}.bias"] = b_part


def _count_layers(variables: Mapping[str, np.ndarray], stack: str) -> int:
    pattern = re.compile(rf"^{stack}/layer_(\d+)/")
    indices = {int(m.group(1)) for name in variables if (m := pattern.match(name))}
    return max(indices) + 1 if indices else 0


def to_openai_checkpoint(ct2: Ct2Model, path: Path) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """Map CTranslate2 Whisper variables to openai-whisper's ``ModelDimensions`` and state dict."""
    if ct2.spec != "WhisperSpec":
        raise ModelNotAvailableError(f"{path}: CTranslate2 spec is {ct2.spec!r}, expected 'WhisperSpec'")
    v = ct2.variables
    m = _Mapper(ct2, path)
    conv1 = m.get("encoder/conv1/weight")
    n_audio_state = int(conv1.shape[0])
    embed = m.get("decoder/embeddings/weight")
    dims = {
        "n_mels": int(conv1.shape[1]),
        "n_audio_ctx": int(v["encoder/position_encodings/encodings"].shape[0]),
        "n_audio_state": n_audio_state,
        "n_audio_head": m.scalar("encoder/num_heads"),
        "n_audio_layer": _count_layers(v, "encoder"),
        "n_vocab": int(embed.shape[0]),
        "n_text_ctx": int(v["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": int(embed.shape[1]),
        "n_text_head": m.scalar("decoder/num_heads"),
        "n_text_layer": _count_layers(v, "decoder"),
    }
    sd: dict[str, np.ndarray] = {}
    # encoder
    sd["encoder.conv1.weight"] = conv1
    sd["encoder.conv1.bias"] = m.get("encoder/conv1/bias")
    m.linear(sd, "encoder/conv2", "encoder.conv2")
    sd["encoder.positional_embedding"] = m.get("encoder/position_encodings/encodings")
    for i in range(dims["n_audio_layer"]):
        src, dst = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        m.split_linear(
            sd, f"{src}/self_attention/linear_0", (f"{dst}.attn.query", f"{dst}.attn.key", f"{dst}.attn.value")
        )
        m.linear(sd, f"{src}/self_attention/linear_1", f"{dst}.attn.out")
        m.layer_norm(sd, f"{src}/self_attention/layer_norm", f"{dst}.attn_ln")
        m.linear(sd, f"{src}/ffn/linear_0", f"{dst}.mlp.0")
        m.linear(sd, f"{src}/ffn/linear_1", f"{dst}.mlp.2")
        m.layer_norm(sd, f"{src}/ffn/layer_norm", f"{dst}.mlp_ln")
    m.layer_norm(sd, "encoder/layer_norm", "encoder.ln_post")
    # decoder
    sd["decoder.token_embedding.weight"] = embed
    sd["decoder.positional_embedding"] = m.get("decoder/position_encodings/encodings")
    for i in range(dims["n_text_layer"]):
        src, dst = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        m.split_linear(
            sd, f"{src}/self_attention/linear_0", (f"{dst}.attn.query", f"{dst}.attn.key", f"{dst}.attn.value")
        )
        m.linear(sd, f"{src}/self_attention/linear_1", f"{dst}.attn.out")
        m.layer_norm(sd, f"{src}/self_attention/layer_norm", f"{dst}.attn_ln")
        m.linear(sd, f"{src}/attention/linear_0", f"{dst}.cross_attn.query")
        m.split_linear(sd, f"{src}/attention/linear_1", (f"{dst}.cross_attn.key", f"{dst}.cross_attn.value"))
        m.linear(sd, f"{src}/attention/linear_2", f"{dst}.cross_attn.out")
        m.layer_norm(sd, f"{src}/attention/layer_norm", f"{dst}.cross_attn_ln")
        m.linear(sd, f"{src}/ffn/linear_0", f"{dst}.mlp.0")
        m.linear(sd, f"{src}/ffn/linear_1", f"{dst}.mlp.2")
        m.layer_norm(sd, f"{src}/ffn/layer_norm", f"{dst}.mlp_ln")
    m.layer_norm(sd, "decoder/layer_norm", "decoder.ln")
    # openai-whisper ties the output projection to the token embedding
    projection = m.get("decoder/projection/weight")
    if projection is not embed and not np.array_equal(projection, embed):
        raise ModelNotAvailableError(f"{path}: output projection is not tied to the token embedding; cannot convert")
    if "decoder/projection/bias" in v and np.any(m.get("decoder/projection/bias") != 0):
        raise ModelNotAvailableError(f"{path}: output projection has a bias; openai-whisper has none")
    leftovers = [n for n, a in v.items() if n not in m.used and a.ndim > 0 and not n.endswith("_scale")]
    if leftovers:
        raise ModelNotAvailableError(f"{path}: unmapped CTranslate2 variables {leftovers[:5]}; converter out of date")
    return dims, sd


def alignment_heads_dump(heads: list[list[int]], n_layer: int, n_head: int) -> bytes:
    """openai-whisper's ``set_alignment_heads`` format: base85(gzip(bool[n_layer, n_head]))."""
    import base64
    import gzip

    mask = np.zeros((n_layer, n_head), dtype=bool)
    for layer, head in heads:
        mask[layer, head] = True
    return base64.b85encode(gzip.compress(mask.tobytes(), mtime=0))


# --------------------------------------------------------------------------- files


def checkpoint_path(model: str) -> Path:
    return models_dir() / "whisper-pt" / f"{model}.pt"


def sidecar_path(checkpoint: Path) -> Path:
    return checkpoint.with_name(checkpoint.name + ".sha256")


def read_sidecar(checkpoint: Path) -> str | None:
    try:
        return sidecar_path(checkpoint).read_text(encoding="utf-8").split()[0]
    except (OSError, IndexError):
        return None


def checkpoint_is_current(model: str, checkpoint: Path) -> bool:
    """True when ``checkpoint`` matches its sidecar and was made from the installed weights."""
    expected = read_sidecar(checkpoint)
    if not checkpoint.is_file() or expected is None:
        return False
    if weights.file_sha256_cached(checkpoint) != expected:
        logger.warning("%s: sha256 differs from %s; converting again", checkpoint, sidecar_path(checkpoint))
        return False
    source_sha = _source_sha256(model)
    try:
        import torch

        meta = torch.load(checkpoint, map_location="cpu", weights_only=True, mmap=True).get("qa_pipeline", {})
    except Exception as exc:  # noqa: BLE001 - any unreadable checkpoint is simply rebuilt
        logger.warning("%s: unreadable checkpoint (%s); converting again", checkpoint, exc)
        return False
    return meta.get("source_sha256") == source_sha and meta.get("converter_version") == CONVERTER_VERSION


def _source_sha256(model: str) -> str:
    return weights.file_sha256_cached(weights.model_dir(model) / "model.bin")


def convert(model: str = "tiny.en", *, force: bool = False, out: Path | None = None) -> ConversionResult:
    """Write openai-whisper's checkpoint for ``model`` (skipped when an up-to-date one exists)."""
    import torch

    # a plain str: a CLI enum pickled into the checkpoint makes torch.load(weights_only=True) refuse the file
    model = str(model)

    target = out or checkpoint_path(model)
    started = time.perf_counter()
    if not force and checkpoint_is_current(model, target):
        meta = torch.load(target, map_location="cpu", weights_only=True, mmap=True)
        return ConversionResult(model, target, read_sidecar(target) or "", 0.0, dict(meta["dims"]), False)
    src_dir = weights.model_dir(model)
    source = src_dir / "model.bin"
    ct2 = read_ct2_model(source)
    dims, arrays = to_openai_checkpoint(ct2, source)
    config = weights.config(model)
    heads = [list(map(int, h)) for h in config.get("alignment_heads", [])]
    state = {k: torch.from_numpy(np.array(a, copy=True, order="C")) for k, a in arrays.items()}
    _check_loads(dims, state, source)
    checkpoint = {
        "dims": dims,
        "model_state_dict": state,
        "qa_pipeline": {
            "model": model,
            "source_sha256": weights.file_sha256_cached(source),
            "converter_version": CONVERTER_VERSION,
            "alignment_heads": heads,
        },
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        torch.save(checkpoint, tmp)
        os.chmod(tmp, 0o644)
        digest = weights.sha256_file(Path(tmp))
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    sidecar_path(target).write_text(f"{digest}  {target.name}\n", encoding="utf-8")
    weights.file_sha256_cached(target)
    seconds = time.perf_counter() - started
    logger.info("converted %s → %s in %.1f s (sha256 %s)", source, target, seconds, digest[:12])
    return ConversionResult(model, target, digest, seconds, dims, True)


def _check_loads(dims: dict[str, int], state: Mapping[str, object], source: Path) -> None:
    """Fail before writing if openai-whisper would reject the state dict (names or shapes)."""
    from whisper.model import ModelDimensions, Whisper

    skeleton = Whisper(ModelDimensions(**dims))
    try:
        skeleton.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise ModelNotAvailableError(
            f"{source}: the converted weights do not fit openai-whisper ({str(exc)[:300]}); the converter needs updating for this model"
        ) from exc


def ensure_checkpoint(model: str) -> Path:
    """The openai-whisper checkpoint for ``model``, converting on first use."""
    path = checkpoint_path(model)
    if checkpoint_is_current(model, path):
        return path
    logger.info("no up-to-date openai-whisper checkpoint at %s; converting %s once", path, model)
    return convert(model, force=True).path
