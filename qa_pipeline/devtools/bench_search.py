"""``qa-pipeline bench search``: search speed over a synthetic set of stored utterances, and recall of meaning search.

The synthetic set: :func:`qa_pipeline.devtools.synthetic.build_synthetic_db` calls (about 37 utterances
each, over agents, queues and days) until ``N`` utterances; each utterance's embedding is its text's real
encoder embedding plus a little noise (so no two rows are equal), quantised and stored like the classify
stage stores them.  Timed per query, one query at a time: phrase search, and meaning search with and
without filters (query embedding included).  Recall@5 is measured on the labelled set
``tests/data/search_recall.yaml`` (sentences written for this project), embedded with the real encoder.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from qa_pipeline.store.db import connect, transaction, utcnow
from qa_pipeline.store.embeddings import quantise

PHRASES = ("duplicate charge", "engineer", "go ahead", "anything else", "refund")
SENTENCES = (
    "the customer was charged twice",
    "can I help with something more",
    "a technician will come out to fix the line",
    "I want my money back",
    "thanks, that solves it",
)
NOISE = 0.02


@dataclass(frozen=True)
class SearchBench:
    utterances: int
    build_s: float
    index_s: float
    phrase_ms: list[float]
    meaning_ms: list[float]
    filtered_ms: list[float]

    def as_text(self) -> str:
        def fmt(name: str, ms: list[float]) -> str:
            return f"  {name:<28} median {statistics.median(ms):7.1f} ms  max {max(ms):7.1f} ms  ({len(ms)} queries)"

        worst = max(self.phrase_ms + self.meaning_ms + self.filtered_ms)
        return "\n".join(
            [
                f"{self.utterances:,} stored utterances (synthetic set built in {self.build_s:.0f} s;"
                f" embedding index loaded in {self.index_s:.1f} s, once)",
                fmt("phrase (whole words)", self.phrase_ms),
                fmt("meaning", self.meaning_ms),
                fmt("meaning, agent+speaker filter", self.filtered_ms),
                f"RESULT search: slowest query {worst / 1000:.3f} s over {self.utterances:,} utterances",
            ]
        )


def fill_embeddings(db: Path, seed: int = 7, chunk: int = 200_000) -> int:
    """Store a noisy real embedding for every stored utterance (see the module docstring)."""
    from qa_pipeline.classify.encoder import get_encoder

    rng = np.random.default_rng(seed)
    with connect(db) as con:
        texts = [r[0] for r in con.execute("SELECT DISTINCT text FROM utterances ORDER BY text").fetchall()]
        base = get_encoder().encode(texts)
        code = {t: i for i, t in enumerate(texts)}
        n = int(con.sql("SELECT count(*) FROM utterances").fetchall()[0][0])
        now = utcnow()
        for start in range(0, n, chunk):
            rows = con.execute(
                "SELECT call_id, idx, text FROM utterances ORDER BY call_id, idx LIMIT ? OFFSET ?", [chunk, start]
            ).fetchall()
            vec = base[[code[r[2]] for r in rows]] + rng.normal(0, NOISE, (len(rows), base.shape[1])).astype(np.float32)
            vec /= np.linalg.norm(vec, axis=1, keepdims=True)
            codes, scales = quantise(vec)
            batch = {  # noqa: F841 - read by DuckDB's replacement scan below
                "call_id": np.array([r[0] for r in rows], dtype=object),
                "idx": np.array([r[1] for r in rows], dtype=np.int32),
                "scale": scales,
                "vec": np.array([c.tobytes() for c in codes], dtype=object),
            }
            with transaction(con):
                con.execute(
                    "INSERT INTO utterance_embeddings SELECT call_id, idx, 'synthetic', scale, vec, ? FROM batch", [now]
                )
    return n


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def run_bench(db: Path, utterances: int, seed: int = 7) -> SearchBench:
    from qa_pipeline.classify.encoder import get_encoder
    from qa_pipeline.devtools.synthetic import build_synthetic_db
    from qa_pipeline.search import SearchFilters, index_for, meaning_search, phrase_search

    t = time.perf_counter()
    if db.exists():  # a set kept by an earlier --db run: time the queries again
        with connect(db, read_only=True) as con:
            n = int(con.sql("SELECT count(*) FROM utterance_embeddings").fetchall()[0][0])
    else:
        build_synthetic_db(db, max(1, -(-utterances // 37)), seed=seed)
        n = fill_embeddings(db, seed)
    build_s = time.perf_counter() - t
    get_encoder().encode(["warm up"])
    with connect(db, read_only=True) as con:
        t = time.perf_counter()
        index_for(con, db)
        index_s = time.perf_counter() - t
        agent = con.sql("SELECT agent_id FROM calls WHERE agent_id IS NOT NULL LIMIT 1").fetchall()[0][0]
        phrase = [_timed(lambda p=p: phrase_search(con, p, limit=50)) for p in PHRASES]
        meaning = [_timed(lambda s=s: meaning_search(con, s, limit=20, db_path=db)) for s in SENTENCES]
        filt = SearchFilters(agent=agent, speaker="agent")
        filtered = [_timed(lambda s=s: meaning_search(con, s, filt, limit=20, db_path=db)) for s in SENTENCES]
    return SearchBench(n, build_s, index_s, phrase, meaning, filtered)


def recall_at_k(path: Path, db: Path, k: int = 5) -> tuple[float, int]:
    """Recall@k of meaning search on a labelled set: ``utterances`` (id -> text) and ``queries``
    (sentence -> ids that answer it).  Stores the utterances as one call each into ``db`` (new)."""
    from qa_pipeline.classify.encoder import get_encoder
    from qa_pipeline.search import meaning_search
    from qa_pipeline.store.embeddings import write_embeddings

    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    utts: dict[str, str] = doc["utterances"]
    ids = list(utts)
    vec = get_encoder().encode([utts[i] for i in ids])
    now = utcnow()
    with connect(db) as con:
        with transaction(con):
            for k_, uid in enumerate(ids):
                con.execute(
                    "INSERT INTO calls (call_id, source_path, file_sha256, duration_s, status, created_at, updated_at)"
                    " VALUES (?, ?, ?, 10, 'complete', ?, ?)",
                    [uid, f"{uid}.json", uid, now, now],
                )
                con.execute(
                    "INSERT INTO utterances (call_id, idx, speaker, start_s, end_s, text) VALUES (?, 0, 'agent', 0, 5, ?)",
                    [uid, utts[uid]],
                )
                write_embeddings(con, uid, [0], vec[k_ : k_ + 1], "recall")
        hits = total = 0
        for q in doc["queries"]:
            found = {h.call_id for h in meaning_search(con, q["sentence"], limit=k)}
            want = set(q["answers"])
            hits += len(found & want)
            total += len(want)
    return hits / total, len(doc["queries"])
