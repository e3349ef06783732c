"""Small stereo calls spoken by espeak-ng, for the flow tests (agent left, customer right).

Each call is rendered once per test session into a cache folder and copied
where a test needs it.  The lines are written for these tests.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np

RATE = 22050  # espeak-ng's native rate; the pipeline resamples to 16 kHz

CALLS: dict[str, list[tuple[str, str]]] = {
    "call_a": [
        ("agent", "Good morning, this is Dana at Riverside Energy. How can I help?"),
        ("customer", "Hello, my meter reading looks wrong on this month's bill."),
        ("agent", "I can check that for you. Could you confirm your postcode please?"),
        ("customer", "Yes, it is the one on the account. Thank you."),
        ("agent", "Thanks, I have corrected the reading. Is there anything else?"),
        ("customer", "No, that is all. Goodbye."),
    ],
    "call_b": [
        ("agent", "Hello, you are through to the help desk, my name is Sam."),
        ("customer", "Hi, my internet keeps dropping every evening."),
        ("agent", "I am sorry to hear that. Let me run a line test now."),
        ("customer", "Okay, I will wait."),
        ("agent", "The test found a fault, an engineer will visit tomorrow."),
        ("customer", "Great, thanks for your help."),
    ],
    "call_c": [
        ("agent", "Thank you for calling Harbour Bank, this is Alex speaking."),
        ("customer", "I would like to close my savings account please."),
        ("agent", "Of course. May I ask why you want to close it today?"),
        ("customer", "I am moving the money to another bank."),
        ("agent", "I understand. The account will be closed within two days."),
        ("customer", "Thank you, bye."),
    ],
}

VOICES = {"agent": ("en-gb+f2", "60"), "customer": ("en-us+m3", "40")}


def _speak(text: str, speaker: str) -> np.ndarray:
    voice, pitch = VOICES[speaker]
    out = subprocess.run(
        ["espeak-ng", "-v", voice, "-p", pitch, "-s", "165", "--stdout", text],
        check=True,
        capture_output=True,
    ).stdout
    with wave.open(io.BytesIO(out)) as w:
        assert w.getframerate() == RATE, w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return data.astype(np.float32) / 32768.0


def render_call(turns: list[tuple[str, str]], *, pause_s: float = 0.5, lead_s: float = 0.3) -> np.ndarray:
    """(2, n) float32: agent on the left channel, customer on the right."""
    pieces: list[tuple[int, int, np.ndarray]] = []
    t = int(lead_s * RATE)
    for speaker, text in turns:
        audio = _speak(text, speaker)
        pieces.append((0 if speaker == "agent" else 1, t, audio))
        t += audio.size + int(pause_s * RATE)
    out = np.zeros((2, t), dtype=np.float32)
    for ch, start, audio in pieces:
        out[ch, start : start + audio.size] += audio
    return out


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    data = (np.clip(samples.T, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(samples.shape[0])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data.tobytes())
    return path


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def render_calls(folder: Path, names: list[str] | None = None) -> dict[str, Path]:
    """Render the named calls (default: all) as stereo WAVs into ``folder``; cached by name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in names or list(CALLS):
        path = folder / f"{name}.wav"
        if not path.exists():
            write_wav(path, render_call(CALLS[name]))
        paths[name] = path
    return paths
