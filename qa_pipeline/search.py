"""Search across stored calls: by phrase (exact, whole words) and by meaning (nearest utterances to a sentence).

Both take the same filters (agent, queue, speaker, date range of the call's start) and return
:class:`SearchHit` rows that link to the moment in the call (``/calls/ID#u-IDX``).

* **Phrase**: SQL over ``utterances`` (the stored, redacted text): a case-insensitive substring
  prefilter, confirmed by a whole-word regular expression (``refund`` does not find ``refunded``).
* **Meaning**: the sentence is embedded with the classifiers' encoder and compared with the stored
  utterance embeddings (``utterance_embeddings``, int8, migration 020).  The embeddings are loaded
  once into an :class:`EmbeddingIndex` (kept as memory-mapped ``.npy`` files in ``DB.search-index/``,
  rebuilt when the table changes) and scanned in two steps: the Hamming distance of the sign bits
  (48 bytes per utterance) picks ``max(4000, 200 * limit)`` candidates, whose int8 vectors give the
  cosine that ranks them.  About 0.1 s per query over a million utterances on one core.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from qa_pipeline.errors import InputError

DIM = 384
SPEAKERS = ("agent", "customer", "unknown")
MIN_CANDIDATES = 4000
HAMMING_CHUNK = 1 << 15


@dataclass(frozen=True)
class SearchFilters:
    agent: str | None = None
    queue: str | None = None
    speaker: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive

    def __post_init__(self) -> None:
        if self.speaker is not None and self.speaker not in SPEAKERS:
            raise InputError(f"speaker {self.speaker!r} is not one of {', '.join(SPEAKERS)}")

    def call_sql(self) -> tuple[str, list[Any]]:
        """``WHERE`` conditions on ``calls c`` and their parameters (``TRUE`` when none)."""
        conds: list[str] = []
        params: list[Any] = []
        if self.agent:
            conds.append("c.agent_id = ?")
            params.append(self.agent)
        if self.queue:
            conds.append("c.queue = ?")
            params.append(self.queue)
        if self.since:
            conds.append("c.started_at >= ?")
            params.append(datetime.combine(self.since, datetime.min.time()))
        if self.until:
            conds.append("c.started_at < ?")
            params.append(datetime.combine(self.until + timedelta(days=1), datetime.min.time()))
        return (" AND ".join(conds) or "TRUE"), params

    @property
    def on_calls(self) -> bool:
        return bool(self.agent or self.queue or self.since or self.until)


@dataclass(frozen=True)
class SearchHit:
    call_id: str
    idx: int
    speaker: str
    start_s: float
    end_s: float
    text: str
    agent_id: str | None
    queue: str | None
    started_at: datetime | None
    score: float | None = None  # cosine similarity (meaning search)

    @property
    def link(self) -> str:
        return f"/calls/{self.call_id}#u-{self.idx}"

    @property
    def at(self) -> str:
        s = int(max(0.0, self.start_s))
        return f"{s // 60:02d}:{s % 60:02d}"


_HIT_SQL = (
    "SELECT u.call_id, u.idx, u.speaker, u.start_s, u.end_s, u.text, c.agent_id, c.queue, c.started_at"
    " FROM utterances u JOIN calls c USING (call_id)"
)


def phrase_regex(phrase: str) -> str:
    """Whole words, any run of spaces between them, case-insensitive (RE2 syntax for DuckDB)."""
    words = [re.escape(w) for w in phrase.lower().split()]
    if not words:
        raise InputError("the phrase is empty; give one or more words")
    return r"(?i)(^|\W)" + r"\s+".join(words) + r"($|\W)"


def phrase_search(
    con: duckdb.DuckDBPyConnection, phrase: str, filters: SearchFilters | None = None, limit: int = 50
) -> list[SearchHit]:
    """Utterances containing the phrase as whole words, newest calls first."""
    filters = filters or SearchFilters()
    regex = phrase_regex(phrase)
    where, params = filters.call_sql()
    first = phrase.lower().split()[0]
    sql = f"{_HIT_SQL} WHERE {where} AND u.text ILIKE ? AND regexp_matches(u.text, ?)"
    params += [f"%{first}%", regex]
    if filters.speaker:
        sql += " AND u.speaker = ?"
        params.append(filters.speaker)
    sql += " ORDER BY c.started_at DESC NULLS LAST, u.call_id, u.idx LIMIT ?"
    params.append(int(limit))
    return [SearchHit(*row) for row in con.execute(sql, params).fetchall()]


# --------------------------------------------------------------------------- meaning


class EmbeddingIndex:
    """Every stored utterance embedding as arrays: int8 codes, scales, sign bits, call/utterance/speaker."""

    def __init__(
        self,
        codes: np.ndarray,
        scales: np.ndarray,
        bits: np.ndarray,
        call_codes: np.ndarray,
        idxs: np.ndarray,
        speakers: np.ndarray,
        call_ids: list[str],
        signature: str,
    ) -> None:
        self.codes = codes
        self.scales = scales
        self.bits = bits
        self.call_codes = call_codes
        self.idxs = idxs
        self.speakers = speakers
        self.call_ids = call_ids
        self.signature = signature

    def __len__(self) -> int:
        return len(self.idxs)

    @staticmethod
    def from_arrays(
        codes: np.ndarray,
        scales: np.ndarray,
        call_ids_per_row: list[str],
        idxs: Any,
        speakers: list[str],
        signature: str,
    ) -> EmbeddingIndex:
        call_ids = sorted(set(call_ids_per_row))
        code_of = {c: i for i, c in enumerate(call_ids)}
        bits = np.packbits(codes > 0, axis=1).view(np.uint64) if len(codes) else np.zeros((0, 6), np.uint64)
        return EmbeddingIndex(
            codes,
            np.asarray(scales, dtype=np.float32),
            bits,
            np.fromiter((code_of[c] for c in call_ids_per_row), dtype=np.int32, count=len(call_ids_per_row)),
            np.asarray(idxs, dtype=np.int32),
            np.fromiter(
                (SPEAKERS.index(s) if s in SPEAKERS else 2 for s in speakers), dtype=np.int8, count=len(speakers)
            ),
            call_ids,
            signature,
        )

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("codes", "scales", "bits", "call_codes", "idxs", "speakers"):
            np.save(folder / f"{name}.npy", getattr(self, name))
        (folder / "meta.json").write_text(
            json.dumps({"signature": self.signature, "call_ids": self.call_ids}), encoding="utf-8"
        )

    @staticmethod
    def load(folder: Path, signature: str) -> EmbeddingIndex | None:
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            if meta.get("signature") != signature:
                return None
            arrays = {
                n: np.load(folder / f"{n}.npy", mmap_mode="r")
                for n in ("codes", "scales", "bits", "call_codes", "idxs", "speakers")
            }
        except (OSError, ValueError):
            return None
        return EmbeddingIndex(**arrays, call_ids=list(meta["call_ids"]), signature=signature)

    def nearest(self, query: np.ndarray, mask: np.ndarray | None, k: int) -> list[tuple[int, float]]:
        """``[(row, cosine)]`` of the ``k`` rows nearest to the unit vector ``query`` among ``mask``."""
        n = len(self)
        if n == 0 or k <= 0:
            return []
        qbits = np.packbits(query > 0).view(np.uint64)
        ham = np.empty(n, dtype=np.int32)
        for start in range(0, n, HAMMING_CHUNK):  # chunks whose temporaries stay in cache
            block = np.bitwise_xor(self.bits[start : start + HAMMING_CHUNK], qbits)
            np.sum(np.bitwise_count(block, out=block), axis=1, dtype=np.int32, out=ham[start : start + HAMMING_CHUNK])
        if mask is not None:
            ham = np.where(mask, ham, np.int32(10_000))
            n = int(mask.sum())
            if n == 0:
                return []
        m = min(n, max(MIN_CANDIDATES, 200 * k))
        cand = np.argpartition(ham, m - 1)[:m] if m < len(ham) else np.arange(len(ham))
        if mask is not None:
            cand = cand[np.asarray(mask)[cand]]
        cand.sort()
        sims = (np.asarray(self.codes[cand], dtype=np.float32) @ query) * np.asarray(self.scales[cand])
        top = np.argsort(-sims, kind="stable")[:k]
        return [(int(cand[t]), float(sims[t])) for t in top]


def _signature(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute("SELECT count(*), max(written_at) FROM utterance_embeddings").fetchall()
    return f"{rows[0][0]}:{rows[0][1]}"


def build_index(con: duckdb.DuckDBPyConnection, signature: str | None = None) -> EmbeddingIndex:
    signature = signature or _signature(con)
    rel = con.execute(
        "SELECT e.call_id, e.idx, u.speaker, e.scale, e.vec FROM utterance_embeddings e"
        " JOIN utterances u USING (call_id, idx) ORDER BY e.call_id, e.idx"
    )
    cols = rel.fetchnumpy()
    vec = cols["vec"]
    codes = (
        np.frombuffer(b"".join(vec.tolist()), dtype=np.int8).reshape(-1, DIM).copy()
        if len(vec)
        else np.zeros((0, DIM), dtype=np.int8)
    )
    return EmbeddingIndex.from_arrays(
        codes, cols["scale"], list(cols["call_id"]), cols["idx"], list(cols["speaker"]), signature
    )


_INDEXES: dict[str, EmbeddingIndex] = {}
_LOCK = threading.Lock()


def index_for(con: duckdb.DuckDBPyConnection, db_path: str | Path | None) -> EmbeddingIndex:
    """The index of this database: from memory, else ``DB.search-index/`` when current, else built (and saved)."""
    signature = _signature(con)
    key = str(Path(db_path).resolve()) if db_path is not None else f"con:{id(con)}"
    with _LOCK:
        hit = _INDEXES.get(key)
        if hit is not None and hit.signature == signature:
            return hit
        folder = Path(f"{key}.search-index") if db_path is not None else None
        index = EmbeddingIndex.load(folder, signature) if folder is not None else None
        if index is None:
            index = build_index(con, signature)
            if folder is not None:
                try:
                    index.save(folder)
                except OSError:  # a read-only folder: keep it in memory only
                    pass
        _INDEXES[key] = index
        return index


def embed_query(sentence: str) -> np.ndarray:
    """The sentence's embedding, on one torch thread: for one short text a second thread only waits (on a
    busy 2-core machine two threads took 700 ms where one took 12 ms)."""
    from qa_pipeline.classify.encoder import get_encoder

    if not sentence.strip():
        raise InputError("the sentence is empty; describe what was said")
    return get_encoder().encode([sentence], threads=1)[0]


def _mask(con: duckdb.DuckDBPyConnection, index: EmbeddingIndex, filters: SearchFilters) -> np.ndarray | None:
    mask: np.ndarray | None = None
    if filters.on_calls:
        where, params = filters.call_sql()
        allowed = {r[0] for r in con.execute(f"SELECT c.call_id FROM calls c WHERE {where}", params).fetchall()}
        codes = np.asarray([i for i, c in enumerate(index.call_ids) if c in allowed], dtype=np.int32)
        mask = np.isin(np.asarray(index.call_codes), codes)
    if filters.speaker:
        sp = np.asarray(index.speakers) == SPEAKERS.index(filters.speaker)
        mask = sp if mask is None else mask & sp
    return mask


def meaning_search(
    con: duckdb.DuckDBPyConnection,
    sentence: str,
    filters: SearchFilters | None = None,
    limit: int = 20,
    db_path: str | Path | None = None,
    query: np.ndarray | None = None,
) -> list[SearchHit]:
    """The ``limit`` stored utterances nearest in meaning to ``sentence`` (cosine, best first)."""
    filters = filters or SearchFilters()
    index = index_for(con, db_path)
    q = embed_query(sentence) if query is None else query
    found = index.nearest(np.asarray(q, dtype=np.float32), _mask(con, index, filters), limit)
    if not found:
        return []
    keys = [(index.call_ids[int(index.call_codes[r])], int(index.idxs[r])) for r, _ in found]
    calls = sorted({k[0] for k in keys})
    # a literal IN list is pushed into the scan (row groups skipped by their call_id range): fast at 1M rows
    rows = con.execute(
        f"{_HIT_SQL} WHERE u.call_id IN ({', '.join('?' * len(calls))})"
        f" AND c.call_id IN ({', '.join('?' * len(calls))})",
        calls + calls,
    ).fetchall()
    by_key = {(r[0], r[1]): r for r in rows}
    return [_hit(by_key[k], round(s, 4)) for k, (_, s) in zip(keys, found) if k in by_key]


def _hit(row: tuple[Any, ...], score: float | None) -> SearchHit:
    return SearchHit(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], score)
