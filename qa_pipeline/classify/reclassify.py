"""Re-classify stored calls from their stored (redacted) text, without audio or ASR.

After ``qa-pipeline train`` or a threshold edit the classifier version
changes; ``reclassify_stored(db, only_stale=True)`` finds the calls whose
labels are missing or from another version and rewrites them.  Calls go in
chunks: open the database, read the chunk's conversations, close; classify
in memory; open again and replace the chunk's labels in one transaction,
close.  The file is never held open while the encoder runs, so the review
workspace and the nightly run can write in between.

Scores are not recomputed here; ``qa-pipeline rescore`` does that from the
stored labels.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qa_pipeline.classify.classifier import Classifier
from qa_pipeline.errors import NotFoundError
from qa_pipeline.records import CallAnalysis
from qa_pipeline.stages import classify_stage
from qa_pipeline.store.calls import read_conversation
from qa_pipeline.store.db import connect, transaction
from qa_pipeline.store.embeddings import write_embeddings
from qa_pipeline.store.labels import calls_to_classify, write_labels

logger = logging.getLogger("qa_pipeline.classify.reclassify")

DEFAULT_CHUNK = 100


@dataclass(frozen=True)
class ReclassifyReport:
    version: str
    calls: int
    utterances: int
    changed: int
    seconds: float
    call_ids: tuple[str, ...]


def reclassify_stored(
    db_path: str | Path,
    classifier: Classifier,
    *,
    only_stale: bool = True,
    call_ids: Sequence[str] | None = None,
    chunk: int = DEFAULT_CHUNK,
    progress: Callable[[int, int], None] | None = None,
) -> ReclassifyReport:
    """Classify stored utterances again and replace their labels.

    ``only_stale`` limits the work to calls whose labels are missing or carry
    another ``model_version``; ``call_ids`` names calls explicitly (all of
    them are redone).  ``changed`` counts utterances whose detected labels or
    sentiment differ from what was stored before.
    """
    started = time.monotonic()
    with connect(db_path) as con:
        if call_ids:
            known = {r[0] for r in con.execute("SELECT call_id FROM calls").fetchall()}
            missing = [c for c in call_ids if c not in known]
            if missing:
                raise NotFoundError(f"{db_path}: call(s) {missing} are not in the database; check the call id")
            todo = list(dict.fromkeys(call_ids))
        else:
            todo = calls_to_classify(con, classifier.version if only_stale else None)
    utterances = changed = 0
    done: list[str] = []
    for start in range(0, len(todo), max(1, chunk)):
        ids = todo[start : start + max(1, chunk)]
        with connect(db_path) as con:
            conversations = [c for c in (read_conversation(con, call_id) for call_id in ids) if c is not None]
            before = {
                (r[0], r[1]): (r[2], tuple(r[3] or ()))
                for r in con.execute(
                    "SELECT call_id, idx, sentiment, detected FROM utterance_labels WHERE call_id IN (SELECT unnest(?))",
                    [ids],
                ).fetchall()
            }
        analyses = {  # the spine's classify stage, with this classifier
            conv.call_id: classify_stage(CallAnalysis(None, conv, redacted=True), classifier) for conv in conversations
        }
        results = {call_id: a.labels for call_id, a in analyses.items()}
        with connect(db_path) as con, transaction(con):
            for call_id, a in analyses.items():
                write_labels(con, call_id, a.labels, classifier.version)
                if a.embeddings is not None:  # search by meaning stays in step with the labels
                    write_embeddings(
                        con, call_id, [u.idx for u in a.conversation.utterances], a.embeddings, classifier.version
                    )
        for call_id, labels in results.items():
            done.append(call_id)
            utterances += len(labels)
            changed += sum(1 for lab in labels if before.get((call_id, lab.idx)) != (lab.sentiment, lab.detected))
        if progress:
            progress(min(start + len(ids), len(todo)), len(todo))
        logger.info("reclassified %d call(s) with %s", len(results), classifier.version)
    return ReclassifyReport(classifier.version, len(done), utterances, changed, time.monotonic() - started, tuple(done))
