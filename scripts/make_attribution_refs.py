#!/usr/bin/env python3
"""Turn the real dev calls in ../shared into a ``qa-pipeline bench attribution`` folder (a temp dir).

Reads ``../shared/data/realcalls-dev/{spokenwoz,callytics}`` at run time and
writes, into OUT (default: a new temp dir, never the repository), one
symlink to each recording plus ``<stem>.turns.json`` — a list of
``{speaker, start, end, text}`` with speaker ``agent`` / ``customer``:

* spokenwoz: word-timed JSON (speaker A = caller, B = agent); consecutive
  words of one speaker make a turn, broken at pauses of 1 s or more.
* callytics: SRT subtitles with ``[CSR]`` / ``[Customer]`` labels.

Both data sets are non-commercial (CC BY-NC) or GPL: measure with them, never
copy them into the repository.  Usage::

    python scripts/make_attribution_refs.py [--out DIR] [--seconds N] [--asr]

``--asr`` also writes ``asr/manifest.tsv`` for ``qa-pipeline bench asr``: the
five single-side Harper Valley bank channels of ``hvb-single-side`` (human
transcripts of that side from ``../shared/data/transcripts/hvb-dev``) and the
two callytics calls (their script).

``--seconds N`` keeps only the first N seconds of each call's reference (and
writes a cut copy of the audio) for quick runs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "data" / "realcalls-dev"
SPOKENWOZ_ROLE = {"A": "customer", "B": "agent"}
SRT_ROLE = {"csr": "agent", "customer": "customer"}


def spokenwoz_turns(path: Path, gap_s: float = 1.0) -> list[dict]:
    turns: list[dict] = []
    for w in json.loads(path.read_text(encoding="utf-8")):
        role = SPOKENWOZ_ROLE[w["speaker"]]
        if turns and turns[-1]["speaker"] == role and w["start"] - turns[-1]["end"] < gap_s:
            turns[-1]["end"] = w["end"]
            turns[-1]["text"] += " " + w["word"]
        else:
            turns.append({"speaker": role, "start": w["start"], "end": w["end"], "text": w["word"]})
    return turns


def _srt_time(s: str) -> float:
    h, m, rest = s.strip().split(":")
    sec, ms = rest.split(",")
    return int(h) * 3600 + int(m) * 60 + int(sec) + int(ms) / 1000


def srt_turns(path: Path) -> list[dict]:
    turns = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8-sig").strip()):
        lines = block.strip().splitlines()
        if len(lines) < 3 or "-->" not in lines[1]:
            continue
        a, b = lines[1].split("-->")
        text = " ".join(lines[2:])
        m = re.match(r"\s*\[([^\]]+)\]\s*(.*)", text)
        if not m:
            raise SystemExit(f"{path}: subtitle {lines[0]} has no [CSR]/[Customer] label: fix the SRT")
        turns.append(
            {
                "speaker": SRT_ROLE.get(m.group(1).strip().lower(), m.group(1).strip().lower()),
                "start": _srt_time(a),
                "end": _srt_time(b),
                "text": m.group(2),
            }
        )
    return turns


def _write(out: Path, stem: str, audio: Path, turns: list[dict], seconds: float | None) -> None:
    if seconds:
        import soundfile as sf

        data, sr = sf.read(audio, always_2d=True)
        sf.write(out / f"{stem}.wav", data[: int(seconds * sr)], sr)
        turns = [dict(t, end=min(t["end"], seconds)) for t in turns if t["start"] < seconds - 0.5]
    else:
        (out / f"{stem}.wav").symlink_to(audio)
    (out / f"{stem}.turns.json").write_text(json.dumps(turns, indent=1), encoding="utf-8")


def write_long_call(out: Path, seconds: float) -> None:
    """The spokenwoz and callytics calls mixed to mono (8 kHz) and joined, round after round, up to ``seconds``."""
    import numpy as np
    import soundfile as sf

    out.mkdir(parents=True, exist_ok=True)
    calls = [
        (w, spokenwoz_turns(DEV / "spokenwoz" / "text" / f"{w.stem}.json"))
        for w in sorted((DEV / "spokenwoz" / "audio").glob("*.wav"))
    ]
    calls += [(w, srt_turns(w.with_suffix(".srt"))) for w in sorted((DEV / "callytics").glob("*.wav"))]
    pieces, turns, t = [], [], 0.0
    while t < seconds:
        for wav, tt in calls:
            data, sr = sf.read(wav, always_2d=True, dtype="float32")
            assert sr == 8000, f"{wav}: {sr} Hz"
            pieces.append(data.mean(axis=1))
            turns += [dict(x, start=x["start"] + t, end=x["end"] + t) for x in tt]
            t += len(data) / sr
            if t >= seconds:
                break
    sf.write(out / "long-mono.wav", np.concatenate(pieces), 8000)
    (out / "long-mono.turns.json").write_text(json.dumps(turns), encoding="utf-8")


def write_asr_manifest(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    hvb_audio = DEV / "hvb-single-side" / "audio"
    transcripts = DEV.parent / "transcripts" / "hvb-dev" / "transcript"
    rows = ["file\tchannel\treference"]
    for side, role in (("agent", "agent"), ("caller", "caller")):
        for wav in sorted((hvb_audio / side).glob("*.wav")):
            segs = json.loads((transcripts / f"{wav.stem}.json").read_text(encoding="utf-8"))
            segs = sorted((s for s in segs if s.get("speaker_role") == role), key=lambda s: s["start_ms"])
            text = " ".join(s["human_transcript"].strip() for s in segs if s.get("human_transcript", "").strip())
            text = re.sub(r"\[[^\]]*\]|<[^>]*>", " ", text)  # [noise], <unk>: annotations, not words
            (out / f"hvb-{side}-{wav.name}").symlink_to(wav)
            rows.append(f"hvb-{side}-{wav.name}\tmix\t{' '.join(text.split())}")
    for wav in sorted((DEV / "callytics").glob("*.wav")):
        text = " ".join(t["text"] for t in srt_turns(wav.with_suffix(".srt")))
        (out / f"callytics-{wav.name}").symlink_to(wav)
        rows.append(f"callytics-{wav.name}\tmix\t{' '.join(text.split())}")
    (out / "manifest.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=None, help="output folder (default: a new temp dir)")
    ap.add_argument("--seconds", type=float, default=None, help="keep only the first N seconds of each call")
    ap.add_argument("--sets", default="spokenwoz,callytics")
    ap.add_argument(
        "--long",
        type=float,
        default=None,
        help="also write long/long-mono.wav: the calls mixed to mono and joined up to N seconds (memory check)",
    )
    ap.add_argument(
        "--asr", action="store_true", help="also write asr/manifest.tsv (hvb single sides + callytics) for bench asr"
    )
    args = ap.parse_args(argv)
    if not DEV.is_dir():
        print(f"{DEV}: not found (the shared dev data)", file=sys.stderr)
        return 2
    out = args.out or Path(tempfile.mkdtemp(prefix="attribution-refs-"))
    if ROOT in out.resolve().parents or out.resolve() == ROOT:
        print(f"{out}: inside the repository; write outside it (outside data must not be committed)", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    sets = args.sets.split(",")
    if "spokenwoz" in sets:
        for wav in sorted((DEV / "spokenwoz" / "audio").glob("*.wav")):
            _write(
                out,
                f"spokenwoz-{wav.stem}",
                wav,
                spokenwoz_turns(DEV / "spokenwoz" / "text" / f"{wav.stem}.json"),
                args.seconds,
            )
    if "callytics" in sets:
        for wav in sorted((DEV / "callytics").glob("*.wav")):
            _write(out, f"callytics-{wav.stem}", wav, srt_turns(wav.with_suffix(".srt")), args.seconds)
    if args.asr:
        write_asr_manifest(out / "asr")
    if args.long:
        write_long_call(out / "long", args.long)
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
