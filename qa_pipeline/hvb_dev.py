"""The hvb-dev calls (``../shared/data/transcripts/hvb-dev``) as transcript files and benchmark references.

Real (role-played) bank calls with a QA reviewer's verdicts, read from the
shared data folder at run time; nothing of their text is ever written into the
repository (the converter writes into a folder you give, normally a temporary
one).  Only the calls in hvb-dev may be read: no other Harper Valley call.

* :func:`split` — the fixed split by call into a learning part (``learn``) and
  a measuring part (``measure``): within each task type the sids are ordered
  by ``sha256(sid)`` and the first ``round(0.6 n)`` (at least one call left to
  measure when the type has two or more) go to ``learn``.  The result is
  written down in ``models/training/hvb_dev_split.yaml`` and checked by a test.
* :func:`write_transcripts` — one ``<sid>.transcript.json`` per call: the human
  transcript (tags such as ``[noise]``/``<unk>`` removed, cut-off marks ``~``
  dropped, noise-only turns skipped), times on the shared ``offset_ms``
  timeline (``start_ms`` of channel 2 is shifted, see the data's README).
* :func:`write_scorecards` — the measuring copy of the bundled scorecards with
  this bank queue's policy, taken from the reviewer's written rubric
  (``qa_reference_rules.md``), not from the measuring part: criteria the queue
  has no policy for are N/A by configuration (:data:`QUEUE_POLICY`,
  ``na_when: queues: [hvb-retail-banking]``); identity verification is recorded
  but not scored (:data:`RECORDED_ONLY`: moved to a section of weight 0, the
  rubric keeps it out of the overall grade because the role-play script never
  verifies); a missing closing is a major lapse like a missing resolution check
  (:data:`SECTION_WEIGHTS`).  The product cards never name the queue; a
  deployment writes its own policy the same way.
* :func:`write_reference` — the reviewer's verdicts as ``bench agreement``
  reference lines: criterion names mapped to the ``customer_service`` ids
  (``introduction`` → ``introduction``, ``hold_request`` → ``hold_etiquette``),
  yes/no/n/a → pass/fail/na, plus ``overall`` and ``customer_sentiment_end``.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import yaml

from qa_pipeline.errors import ConfigError, InputError
from qa_pipeline.paths import models_dir, scorecards_dir, shared_data_dir
from qa_pipeline.scorecard.loader import load_scorecard

CRITERIA = {  # reviewer's name -> customer_service criterion id
    "greeting": "greeting",
    "introduction": "introduction",
    "identity_verification": "identity_verification",
    "empathy": "empathy",
    "active_listening": "active_listening",
    "commitment": "commitment",
    "resolution_check": "resolution_check",
    "closing": "closing",
    "hold_request": "hold_etiquette",
}
VERDICT = {"yes": "pass", "no": "fail", "n/a": "na"}
LEARN_SHARE = 0.6
QUEUE = "hvb-retail-banking"
# The bank queue's policy for the measuring copy of the scorecards: card id -> criterion -> why it is N/A there.
QUEUE_POLICY = {
    "customer_service": {
        "recording_disclosure": "the bank line has no recording-disclosure script",
        "speaking_rate": "the bank line has no talk-speed policy",
    },
}
# Recorded (verdict and evidence kept, agreement measured) but not part of the call score on this queue.
RECORDED_ONLY = {"customer_service": ("identity_verification",)}
# Section weights of the queue's QA form: closing counts like the resolution section (a major lapse when missing).
SECTION_WEIGHTS = {"customer_service": {"closing": 20.0}}
_TAG = re.compile(r"\[[a-z_ ]+\]|<unk>")


def hvb_dir() -> Path:
    return shared_data_dir() / "transcripts" / "hvb-dev"


def split_file() -> Path:
    return models_dir() / "training" / "hvb_dev_split.yaml"


def _need(path: Path) -> Path:
    if not path.exists():
        raise ConfigError(
            f"{path} is missing: the hvb-dev calls live in ../shared/data/transcripts/hvb-dev (set QA_PIPELINE_SHARED to the shared folder)"
        )
    return path


def metadata(sid: str) -> dict:
    return json.loads(_need(hvb_dir() / "metadata" / f"{sid}.json").read_text(encoding="utf-8"))


def segments(sid: str) -> list[dict]:
    return json.loads(_need(hvb_dir() / "transcript" / f"{sid}.json").read_text(encoding="utf-8"))


def references() -> dict[str, dict]:
    out = {}
    for line in _need(hvb_dir() / "qa_reference.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            obj = json.loads(line)
            out[obj["sid"]] = obj
    return out


def task_type(sid: str) -> str:
    return str(metadata(sid)["tasks"][0]["task_type"])


def split() -> dict[str, list[str]]:
    """The split rule applied to the calls in the shared folder (see the module docstring)."""
    by_type: dict[str, list[str]] = defaultdict(list)
    for sid in sorted(references()):
        by_type[task_type(sid)].append(sid)
    parts: dict[str, list[str]] = {"learn": [], "measure": []}
    for _, sids in sorted(by_type.items()):
        sids.sort(key=lambda s: hashlib.sha256(s.encode()).hexdigest())
        k = int(LEARN_SHARE * len(sids) + 0.5)
        if len(sids) >= 2:
            k = min(k, len(sids) - 1)
        parts["learn"] += sids[:k]
        parts["measure"] += sids[k:]
    return {name: sorted(v) for name, v in parts.items()}


def committed_split() -> dict[str, list[str]]:
    """The split as written down in the repository."""
    doc = yaml.safe_load(split_file().read_text(encoding="utf-8"))
    return {"learn": list(doc["learn"]), "measure": list(doc["measure"])}


def clean(text: str) -> str:
    """A human transcript line without tags and cut-off marks (``""`` for a noise-only turn)."""
    text = _TAG.sub(" ", text or "").replace("~", "")
    return " ".join(text.split())


def turns(sid: str) -> Iterator[dict]:
    """The call's substantive turns on the shared ``offset_ms`` timeline."""
    for seg in segments(sid):
        text = clean(seg.get("human_transcript", ""))
        if not text:
            continue
        start = seg["offset_ms"] / 1000.0
        yield {
            "speaker": "agent" if seg["speaker_role"] == "agent" else "customer",
            "text": text,
            "start_s": round(start, 3),
            "end_s": round(start + seg["duration_ms"] / 1000.0, 3),
        }


def transcript_doc(sid: str) -> dict:
    meta = metadata(sid)
    agent = meta.get("agent") or {}
    started = datetime.fromtimestamp(meta["start_time_ms"] / 1000, tz=UTC).replace(tzinfo=None)
    return {
        "turns": sorted(turns(sid), key=lambda t: t["start_s"]),
        "agent_id": f"hvb-{agent.get('speaker_id')}",
        "queue": QUEUE,
        "started_at": started.isoformat(timespec="seconds"),
        "direction": "inbound",
    }


def file_name(sid: str) -> str:
    return f"{sid}.transcript.json"


def write_transcripts(out_dir: Path, sids: Iterable[str]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for sid in sids:
        path = out_dir / file_name(sid)
        path.write_text(json.dumps(transcript_doc(sid), indent=1) + "\n", encoding="utf-8")
        written.append(path)
    return written


def write_scorecards(out_dir: Path, source: Path | None = None) -> Path:
    """Copy the scorecards (``source``, default the bundled ones) into ``out_dir`` with the bank queue's policy.

    :data:`QUEUE_POLICY` criteria get ``na_when: [{queues: [QUEUE]}]``, :data:`RECORDED_ONLY` criteria move
    to a section of weight 0, :data:`SECTION_WEIGHTS` replace section weights.  The copy is validated like
    any scorecard (a policy naming a card, section or criterion that is not there is an error).
    """
    source = source or scorecards_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.yaml")):
        shutil.copy(path, out_dir / path.name)
    for card_id in sorted(set(QUEUE_POLICY) | set(RECORDED_ONLY) | set(SECTION_WEIGHTS)):
        path = out_dir / f"{card_id}.yaml"
        if not path.is_file():
            raise ConfigError(
                f"{path}: hvb_dev's queue policy names scorecard {card_id!r}, which {source} does not have"
            )
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        _apply_policy(path, card_id, doc)
        path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
        load_scorecard(path)  # validate the copy (ScorecardError names the file and the path)
    return out_dir


def _apply_policy(path: Path, card_id: str, doc: dict) -> None:
    sections = {sec["id"]: sec for sec in doc["sections"]}
    crits = {c["id"]: c for sec in doc["sections"] for c in sec["criteria"]}

    def need(kind: str, name: str, known: dict) -> None:
        if name not in known:
            raise ConfigError(f"{path}: hvb_dev's queue policy names {kind} {name!r}, which {card_id} does not have")

    for cid in QUEUE_POLICY.get(card_id, {}):
        need("criterion", cid, crits)
        crits[cid].setdefault("na_when", []).append({"queues": [QUEUE]})
    for sid, weight in SECTION_WEIGHTS.get(card_id, {}).items():
        need("section", sid, sections)
        sections[sid]["weight"] = weight
    recorded = RECORDED_ONLY.get(card_id, ())
    for cid in recorded:
        need("criterion", cid, crits)
        for sec in doc["sections"]:
            sec["criteria"] = [c for c in sec["criteria"] if c["id"] != cid]
    doc["sections"] = [sec for sec in doc["sections"] if sec["criteria"]]
    if recorded:
        doc["sections"].append(
            {
                "id": "recorded_only",
                "title": "Recorded, not scored on this queue",
                "weight": 0,
                "criteria": [crits[cid] for cid in recorded],
            }
        )


def reference_line(ref: dict) -> dict:
    crits = {}
    for name, cid in CRITERIA.items():
        verdict = ref["criteria"][name]["verdict"]
        if verdict not in VERDICT:
            raise InputError(f"hvb-dev reference {ref['sid']}: verdict {verdict!r} of {name} is not yes/no/n/a")
        crits[cid] = VERDICT[verdict]
    return {
        "call": file_name(ref["sid"]),
        "criteria": crits,
        "overall": ref["overall"],
        "customer_sentiment_end": ref["customer_sentiment_end"],
    }


def write_reference(path: Path, sids: Iterable[str]) -> Path:
    refs = references()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(reference_line(refs[s])) + "\n" for s in sids), encoding="utf-8")
    return path


def agreement_record(reports: dict[str, dict], command: str) -> dict:
    """The figures of ``bench agreement --json`` for each part, as kept in ``models/classifier/hvb_dev_agreement.json``.

    Figures only (agreement, kappa, confusion, Spearman): no call text, no sid.
    """
    out: dict = {"what": "qa-pipeline bench agreement on hvb-dev (scripts/hvb_dev.py); figures only, no call text"}
    out["command"] = command
    for part, rep in reports.items():
        sent = rep.get("sentiment") or {}
        out[part] = {
            "calls": rep["calls"],
            "mean_agreement": None if rep["mean_agreement"] is None else round(rep["mean_agreement"], 4),
            "spearman_overall": None if rep["spearman_overall"] is None else round(rep["spearman_overall"], 4),
            "end_sentiment_agreement": sent.get("agreement"),
            "end_sentiment_confusion": _disagreements(sent.get("confusion", {})),
            "criteria": {
                c["criterion_id"]: {
                    "agreement": None if c["agreement"] is None else round(c["agreement"], 4),
                    "kappa": None if c["kappa"] is None else round(c["kappa"], 4),
                    "confusion": _disagreements(c["confusion"]),
                }
                for c in rep["criteria"]
            },
        }
    return out


def _disagreements(confusion: dict[str, int]) -> dict[str, int]:
    """``reviewer->automatic`` cells where the two differ and that occurred."""
    return {k: n for k, n in confusion.items() if n and k.split("->")[0] != k.split("->")[1]}


# reviewer's criterion -> classifier label (apology and the rest map by name)
LABEL_OF = {
    "greeting": "greeting",
    "introduction": "agent_introduction",
    "identity_verification": "identity_verification",
    "empathy": "empathy",
    "apology": "apology",
    "active_listening": "active_listening",
    "commitment": "commitment",
    "resolution_check": "resolution_check",
    "closing": "closing",
    "hold_request": "hold_request",
}


def learning_examples() -> list[tuple[str, frozenset[str]]]:
    """Agent turns of the learning part with the labels the reviewer's evidence gives them — read at train time.

    A turn the reviewer cited as evidence for a criterion gets that label; a
    turn cited for nothing is a negative for every label (the reviewer cites
    the turn(s) that show a behaviour).  One-word turns are skipped.  Text is
    the cleaned human transcript; nothing is written anywhere.
    """
    refs = references()
    out: list[tuple[str, frozenset[str]]] = []
    for sid in committed_split()["learn"]:
        crit = refs[sid]["criteria"]
        cited: dict[int, set[str]] = defaultdict(set)
        for name, label in LABEL_OF.items():
            for i in crit[name]["evidence_idx"]:
                cited[i].add(label)
        for i, seg in enumerate(segments(sid)):
            if seg["speaker_role"] != "agent":
                continue
            text = clean(seg.get("human_transcript", ""))
            if len(text.split()) < 2:
                continue
            out.append((text, frozenset(cited.get(i, ()))))
    return out


def learning_digest() -> str:
    """Digest of what :func:`learning_examples` reads (recorded in the model card)."""
    h = hashlib.sha256()
    for text, labels in learning_examples():
        h.update(text.encode())
        h.update(",".join(sorted(labels)).encode())
    return h.hexdigest()[:16]
