"""Search across calls: phrase (whole words) and meaning, filters, stored embeddings kept in step with
reclassification, recall on the labelled set, the CLI, the workspace page and the bench."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from review_fixture import build_review_db, csrf_of
from starlette.testclient import TestClient
from typer.testing import CliRunner

from qa_pipeline.classify.classifier import load_classifier
from qa_pipeline.classify.reclassify import reclassify_stored
from qa_pipeline.cli import app
from qa_pipeline.devtools.bench_search import recall_at_k
from qa_pipeline.review.app import ServerConfig, create_app
from qa_pipeline.search import SearchFilters, index_for, meaning_search, phrase_search
from qa_pipeline.store.db import connect
from qa_pipeline.store.embeddings import dequantise, quantise

RECALL_SET = Path(__file__).parent / "data" / "search_recall.yaml"


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    fx = build_review_db(tmp_path_factory.mktemp("rv"), tmp_path_factory.mktemp("clips"))
    reclassify_stored(fx.db, load_classifier(), only_stale=False)  # writes labels and embeddings
    return fx


def test_quantised_embeddings_keep_the_cosine():
    rng = np.random.default_rng(1)
    v = rng.normal(size=(50, 384)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    codes, scales = quantise(v)
    assert codes.dtype == np.int8 and np.abs(codes).max() == 127
    back = dequantise(codes, scales)
    assert np.abs((back * v).sum(axis=1) - 1).max() < 0.01
    assert np.abs(back @ back.T - v @ v.T).max() < 0.01


def test_embeddings_are_stored_for_every_utterance_and_follow_reclassification(fx, tmp_path):
    db = tmp_path / "qa.duckdb"
    shutil.copy(fx.db, db)
    with connect(db) as con:
        n_utts, n_emb = con.execute(
            "SELECT (SELECT count(*) FROM utterances WHERE trim(text) <> ''), (SELECT count(*) FROM utterance_embeddings)"
        ).fetchone()
        assert n_emb == n_utts > 0
        before = index_for(con, db).signature
        cid = con.execute("SELECT call_id FROM utterances WHERE text ILIKE '%anything else%' LIMIT 1").fetchone()[0]
        con.execute(
            "UPDATE utterances SET text = 'Would you like me to book you a new appointment?' WHERE call_id = ? AND text ILIKE '%anything else%'",
            [cid],
        )
    reclassify_stored(db, load_classifier(), call_ids=[cid])
    with connect(db, read_only=True) as con:
        assert index_for(con, db).signature != before  # the index is rebuilt, not served stale
        hits = meaning_search(con, "shall I schedule another visit for you", limit=3, db_path=db)
    assert hits[0].call_id == cid and "appointment" in hits[0].text


def test_phrase_search_whole_words_and_filters(fx):
    with connect(fx.db, read_only=True) as con:
        hits = phrase_search(con, "ANYTHING   else", limit=100)
        assert hits and all("anything else" in h.text.lower() for h in hits)
        assert phrase_search(con, "anythin", limit=5) == []  # whole words only
        agent = hits[0].agent_id
        mine = phrase_search(con, "anything else", SearchFilters(agent=agent), limit=100)
        assert mine and {h.agent_id for h in mine} == {agent} and len(mine) < len(hits)
        assert phrase_search(con, "anything else", SearchFilters(speaker="customer"), limit=5) == []
        day = hits[0].started_at.date()
        dated = phrase_search(con, "anything else", SearchFilters(since=day, until=day), limit=100)
        assert dated and {h.started_at.date() for h in dated} == {day}
        assert phrase_search(con, "anything else", SearchFilters(until=date(2000, 1, 1))) == []
        assert hits[0].link == f"/calls/{hits[0].call_id}#u-{hits[0].idx}"


def test_meaning_search_finds_paraphrases_with_filters(fx):
    with connect(fx.db, read_only=True) as con:
        hits = meaning_search(con, "do you need help with something more", limit=5, db_path=fx.db)
        assert hits and "anything else" in hits[0].text.lower()
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        cust = meaning_search(con, "do you need help with something more", SearchFilters(speaker="customer"), 5, fx.db)
        assert cust and all(h.speaker == "customer" for h in cust)
        agent = hits[0].agent_id
        only = meaning_search(con, "do you need help with something more", SearchFilters(agent=agent), 50, fx.db)
        assert only and {h.agent_id for h in only} == {agent}


def test_recall_at_5_on_the_labelled_set(tmp_path):
    share, n = recall_at_k(RECALL_SET, tmp_path / "recall.duckdb")
    assert n >= 10 and share >= 0.8


def test_search_cli(fx):
    r = CliRunner().invoke(app, ["search", "anything else", "--db", str(fx.db), "--limit", "3"])
    assert r.exit_code == 0, r.output
    lines = [x for x in r.output.splitlines() if "/calls/" in x]
    assert len(lines) == 3 and all("#u-" in x for x in lines)
    r = CliRunner().invoke(app, ["search", "is that everything", "--meaning", "--db", str(fx.db), "--speaker", "agent"])
    assert r.exit_code == 0 and "/calls/" in r.output
    r = CliRunner().invoke(app, ["search", "x", "--db", str(fx.db), "--since", "yesterday"])
    assert r.exit_code != 0 and "YYYY-MM-DD" in r.output


def _client(fx, db: Path, user: str) -> TestClient:
    c = TestClient(create_app(ServerConfig(db)), follow_redirects=False)
    tok = csrf_of(c.get("/login").text)
    assert c.post("/login", data={"csrf": tok, "username": user, "password": fx.passwords[user][1]}).status_code == 303
    return c


def test_search_and_tester_pages(fx, tmp_path):
    db = tmp_path / "qa.duckdb"
    shutil.copy(fx.db, db)
    c = _client(fx, db, "carl")  # a coach searches
    page = c.get("/search", params={"q": "do you need help with something more", "mode": "meaning", "speaker": "agent"})
    assert page.status_code == 200 and page.text.count('class="search-hit"') > 0
    assert "#u-" in page.text and "anything else" in page.text.lower()
    assert c.get("/criteria-test").status_code == 403  # coaches do not tune criteria
    q = _client(fx, db, "alice")
    page = q.get("/criteria-test", params={"card": "customer_service", "limit": "5"})
    assert page.status_code == 200 and "on 5 stored call(s)" in page.text and 'class="n-pass"' in page.text


def test_bench_search_small(tmp_path):
    r = CliRunner().invoke(app, ["bench", "search", "--utterances", "3000", "--db", str(tmp_path / "b.duckdb")])
    assert r.exit_code == 0, r.output
    assert "RESULT recall@5 of search by meaning:" in r.output and "RESULT search: slowest query" in r.output


def test_a_run_stores_embeddings_with_the_labels(tmp_path):
    db = tmp_path / "run.duckdb"
    samples = Path(__file__).resolve().parent.parent / "samples" / "transcripts"
    r = CliRunner().invoke(app, ["run", str(samples), "--db", str(db), "--settle", "0", "--no-progress"])
    assert r.exit_code == 0, r.output
    with connect(db, read_only=True) as con:
        rows = con.execute(
            "SELECT count(*), count(e.idx) FROM utterances u LEFT JOIN utterance_embeddings e USING (call_id, idx)"
            " WHERE trim(u.text) <> ''"
        ).fetchall()
        assert rows[0][0] > 0 and rows[0][0] == rows[0][1]
        hits = meaning_search(con, "is there something more I can do for you", SearchFilters(speaker="agent"), 1, db)
    assert hits and "anything else" in hits[0].text.lower()


def test_a_query_is_embedded_on_one_thread_whatever_the_encoder_ran_on_before():
    """The encoder sets torch's threads per call (each call's classifier runs on its ASR's threads); a search
    query still asks for one thread, and the next encode without ``threads`` gets the encoder's own again."""
    import torch

    from qa_pipeline.classify.encoder import get_encoder
    from qa_pipeline.search import embed_query

    encoder = get_encoder()
    encoder.encode(["thanks for calling"], threads=2)
    assert torch.get_num_threads() == 2
    vector = embed_query("I want to speak to a supervisor")
    assert torch.get_num_threads() == 1 and vector.shape == (384,)
    encoder.encode(["thanks for calling"])
    assert torch.get_num_threads() == max(1, encoder.options.threads)
