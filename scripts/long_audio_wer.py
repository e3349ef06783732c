"""Word error rate of windowed transcription (the long-recording path) against the whole call, on real calls.

    PYTHONPATH=$PWD .venv/bin/python scripts/long_audio_wer.py [--windows 300 120]

The English calls of ``../shared/data/realcalls-dev/callcenter-axon`` (real contact-centre calls, mono, 11-14
minutes, with human transcripts) are transcribed whole, as a call under 20 minutes is, and through
``qa_pipeline.long_audio`` (spooled, cut in pauses) with each window length given; WER against the human
transcript for each. Measuring only: the data is CC BY-NC, nothing from it is kept in the repository.
"""

from __future__ import annotations

import argparse
import json

from qa_pipeline.asr import TranscribeOptions, load_transcriber
from qa_pipeline.asr.evaluate import segments_text, word_errors
from qa_pipeline.audio import decode, spool
from qa_pipeline.long_audio import cut_points, transcribe_long_mono
from qa_pipeline.paths import shared_data_dir


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--windows", type=float, nargs="+", default=[300.0, 120.0])
    args = ap.parse_args()
    folder = shared_data_dir() / "realcalls-dev" / "callcenter-axon"
    calls = sorted(p for p in folder.iterdir() if p.is_dir() and "_EN_" in p.name)
    tr = load_transcriber("faster-whisper", "tiny.en", cpu_threads=2, batch_size=8)
    opts = TranscribeOptions()
    totals: dict[str, list[int]] = {}
    print(f"{'call':<45} {'minutes':>7} {'way':>12} {'cuts':>4} {'WER':>6}")
    for call in calls:
        audio_path = next(call.glob("*.mp3"))
        segs_path = next(call.glob("*.segments.json"))
        ref = " ".join(s["text"] for s in json.loads(segs_path.read_text(encoding="utf-8"))["sections"]["EN"])
        mono = decode(audio_path).mono()
        minutes = len(mono) / 16000 / 60
        runs = {"whole": (0, segments_text(tr.transcribe(mono, opts)))}
        del mono
        for w in args.windows:
            with spool(audio_path) as sp:
                cuts = len(cut_points(sp, w)) - 2
                runs[f"window {w:g} s"] = (cuts, segments_text(transcribe_long_mono(tr, sp, opts, w)))
        for way, (cuts, text) in runs.items():
            e = word_errors(ref, text)
            totals.setdefault(way, [0, 0])
            totals[way][0] += e.errors
            totals[way][1] += e.reference_words
            print(f"{call.name:<45} {minutes:>7.1f} {way:>12} {cuts:>4} {e.wer:>6.3f}")
    for way, (errors, words) in totals.items():
        print(f"all {len(calls)} calls  {way:>12}: WER {errors / words:.3f} ({errors} / {words} words)")


if __name__ == "__main__":
    main()
