"""Contact drivers from a real DuckDB file with the real MiniLM encoder: groups, trend, examples, new groups."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from drivers_fixture import build_drivers_db

from qa_pipeline.drivers_report import drivers_report, problem_statements
from qa_pipeline.store.db import connect


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> tuple[Path, dict[str, list[str]]]:
    path = tmp_path_factory.mktemp("drivers") / "qa.duckdb"
    return path, build_drivers_db(path)


def test_statements_are_the_first_two_customer_turns(db) -> None:
    path, ids = db
    with connect(path, read_only=True) as con:
        st = {s.call_id: s for s in problem_statements(con)}
        assert "agentonly" not in st and len(st) == 36
        first = st[ids["card"][0]]
        assert first.text == "hi I lost my debit card yesterday thanks" and first.week == date(2026, 3, 2)
        late = problem_statements(con, since=date(2026, 3, 16))
        assert {s.call_id for s in late} >= set(ids["address"]) and len(late) == 20
        assert len(problem_statements(con, until=date(2026, 3, 8))) == 8


def test_groups_follow_the_topics_and_the_new_one_is_flagged(db) -> None:
    path, ids = db
    with connect(path, read_only=True) as con:
        groups = drivers_report(con, k=3)
    assert sorted(g.size for g in groups) == [12, 12, 12]
    by_topic = {}
    for g in groups:
        topics = {t for t, members in ids.items() for c in g.examples if c in members}
        assert len(topics) == 1, (g.name, g.examples)
        by_topic[topics.pop()] = g
    assert set(by_topic) == {"card", "balance", "address"}
    assert by_topic["address"].new and not by_topic["card"].new and not by_topic["balance"].new
    assert "address" in by_topic["address"].name and "card" in by_topic["card"].name
    weeks = [w for w, _ in by_topic["card"].weekly]
    assert weeks == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]
    assert [n for _, n in by_topic["address"].weekly] == [0, 0, 12]
    assert [n for _, n in by_topic["card"].weekly] == [4, 4, 4]


def test_no_customer_text_gives_no_groups(db) -> None:
    path, _ = db
    with connect(path, read_only=True) as con:
        assert drivers_report(con, since=date(2030, 1, 1)) == []
