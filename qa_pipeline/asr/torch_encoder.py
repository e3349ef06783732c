"""Whisper's audio encoder on PyTorch in bfloat16, for faster-whisper, on CPUs with AMX.

On a CPU with AMX (``amx_bf16``; see :func:`resolve_encoder`), PyTorch runs the
tiny.en encoder in bfloat16 about 3× faster than CTranslate2's int8 encoder on one thread (1.0 s
against 3.4 s for eight 30 s windows), and the encoder is 40 % of a call's ASR.  Decoding, word
alignment and VAD stay in CTranslate2 / faster-whisper: :class:`TorchEncoder` only replaces
``WhisperModel.encode``, and CTranslate2 decodes from the encoder output it is given.  The weights are
the same packaged CTranslate2 weights, converted once into openai-whisper's checkpoint
(:func:`qa_pipeline.asr.convert.ensure_checkpoint`); the decoder half of that checkpoint is dropped.
Elsewhere the CTranslate2 encoder is kept (``encoder="auto"``).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Literal

import numpy as np

from qa_pipeline.classify.encoder import bf16_supported, cpu_flags, use_torch_threads

if TYPE_CHECKING:
    import ctranslate2

logger = logging.getLogger("qa_pipeline.asr.torch_encoder")

EncoderChoice = Literal["auto", "ctranslate2", "torch-bf16", "torch-float32"]
ENCODERS: tuple[EncoderChoice, ...] = ("auto", "ctranslate2", "torch-bf16", "torch-float32")


def resolve_encoder(
    choice: EncoderChoice, device: str = "cpu", cpuinfo: str | None = None
) -> Literal["ctranslate2", "torch-bf16", "torch-float32"]:
    """``auto``: PyTorch bfloat16 on a CPU with AMX (``amx_bf16``), where it was measured 3× faster than
    CTranslate2 int8; CTranslate2 otherwise (and on GPU).  A CPU with AVX512-BF16 but no AMX does bfloat16
    natively too, but the gain there was not measured, so it keeps CTranslate2 until it is.  ``choice`` is
    one of :data:`ENCODERS` (``FasterWhisperSettings`` checks it)."""
    if choice == "auto":
        amx = "amx_bf16" in cpu_flags(cpuinfo) and bf16_supported(cpuinfo)
        return "torch-bf16" if device == "cpu" and amx else "ctranslate2"
    return choice


class TorchEncoder:
    """``encode(features) -> StorageView``, a drop-in for ``faster_whisper.WhisperModel.encode``.

    Safe to call from several threads at once (inference only); each call runs on ``threads`` PyTorch
    threads in the calling thread.  The output array of each thread's last call is kept alive, because a
    ``StorageView`` made from an array shares its memory and faster-whisper decodes from it after
    ``encode`` returns (the next ``encode`` in that thread comes after it is done with it).
    """

    def __init__(self, model: str, threads: int, bf16: bool = True) -> None:
        import torch
        from whisper.model import AudioEncoder, ModelDimensions

        from qa_pipeline.asr import convert

        started = time.perf_counter()
        # the encoder's half of the checkpoint only (memory-mapped); the decoder stays CTranslate2's
        checkpoint = torch.load(convert.ensure_checkpoint(model), map_location="cpu", weights_only=True, mmap=True)
        dims = ModelDimensions(**checkpoint["dims"])
        encoder = AudioEncoder(dims.n_mels, dims.n_audio_ctx, dims.n_audio_state, dims.n_audio_head, dims.n_audio_layer)
        prefix = "encoder."
        encoder.load_state_dict(
            {k[len(prefix) :]: v for k, v in checkpoint["model_state_dict"].items() if k.startswith(prefix)}
        )
        del checkpoint
        self._encoder = encoder.eval()
        self._width = dims.n_audio_state
        self._torch = torch
        self.threads = max(1, threads)
        self.bf16 = bf16
        self._kept = threading.local()
        logger.info(
            "Whisper %s encoder on PyTorch %s (%.2f s to load)",
            model,
            "bfloat16" if bf16 else "float32",
            time.perf_counter() - started,
        )

    def encode(self, features: np.ndarray) -> ctranslate2.StorageView:
        import ctranslate2

        torch = self._torch
        if features.ndim == 2:
            features = features[np.newaxis]
        use_torch_threads(self.threads)
        x = torch.from_numpy(np.ascontiguousarray(features, dtype=np.float32))
        array = np.empty((x.shape[0], self._encoder.positional_embedding.shape[0], self._width), np.float32)
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            for i in range(x.shape[0]):  # one 30 s window at a time: a batch's attention maps would take ~0.4 GB
                array[i] = self._encoder(x[i : i + 1])[0].float().numpy()
        self._kept.array = array
        return ctranslate2.StorageView.from_array(array)
