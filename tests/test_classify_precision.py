"""The classifier's default precision follows what the CPU really supports (issue #17).

bfloat16 only where ``/proc/cpuinfo`` lists native bfloat16 maths
(``avx512_bf16`` or ``amx_bf16``); plain AVX-512 emulates it about 4x slower
than float32, and PyTorch's own check said yes there.
"""

from __future__ import annotations

from pathlib import Path

from qa_pipeline.classify.encoder import NATIVE_BF16_FLAGS, bf16_supported, cpu_flags, get_encoder

_AVX512_ONLY = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 avx512f avx512bw avx512vl avx512_vnni\n"
_WITH_BF16 = _AVX512_ONLY.replace("avx512_vnni", "avx512_vnni avx512_bf16")
_WITH_AMX = _AVX512_ONLY.replace("avx512_vnni", "amx_tile amx_bf16 amx_int8")


def test_emulated_bf16_is_not_chosen() -> None:
    assert "avx512f" in cpu_flags(_AVX512_ONLY)
    assert not bf16_supported(_AVX512_ONLY)
    assert not bf16_supported("")  # no flags line at all (not Linux, or a container hiding it)


def test_native_bf16_flags_are_recognised() -> None:
    assert bf16_supported(_WITH_BF16)
    assert bf16_supported(_WITH_AMX)


def test_this_machine_gets_the_precision_its_flags_allow() -> None:
    text = Path("/proc/cpuinfo").read_text(encoding="utf-8") if Path("/proc/cpuinfo").is_file() else ""
    native = any(flag in cpu_flags(text) for flag in NATIVE_BF16_FLAGS)
    assert bf16_supported() == native
    assert get_encoder().precision == ("bfloat16" if native else "float32")
