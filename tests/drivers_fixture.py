"""A small real DuckDB file of calls with customer turns on three topics for the contact-driver tests.

Card and balance calls span three weeks; address-change calls appear only in the latest week (a new driver).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from qa_pipeline.store.db import connect, transaction

MONDAY = datetime(2026, 3, 2, 10, 0)
TOPICS = {
    "card": [
        "hi I lost my debit card yesterday",
        "my credit card was stolen and I need to block it",
        "I can't find my bank card, please freeze it",
        "someone took my card, can you cancel it",
    ],
    "balance": [
        "hello what is the balance on my checking account",
        "I'd like to check how much money is in my savings account",
        "can you tell me my account balance please",
        "how much do I have left in my account",
    ],
    "address": [
        "I moved house and need to update my address",
        "please change the mailing address on my account, I moved",
        "I have a new home address to update",
        "I relocated last month, new street address",
    ],
}


def build_drivers_db(path: Path) -> dict[str, list[str]]:
    """Write the calls; returns call_ids per topic. Also one call with agent turns only (must be skipped)."""
    ids: dict[str, list[str]] = {t: [] for t in TOPICS}
    with connect(path) as con, transaction(con):
        n = 0
        for topic, lines in TOPICS.items():
            for rep in range(3):
                for j, line in enumerate(lines):
                    week = 2 if topic == "address" else rep
                    started = MONDAY + timedelta(days=7 * week + j % 5, hours=j)
                    call_id = f"{topic[:2]}{n:04d}"
                    n += 1
                    ids[topic].append(call_id)
                    _call(con, call_id, started)
                    turns = [("agent", "thank you for calling, how can I help"), ("customer", line)]
                    turns += [("agent", "let me look into that"), ("customer", "thanks")]
                    turns += [("customer", "unrelated later chatter about the weather")]
                    _turns(con, call_id, turns)
        _call(con, "agentonly", MONDAY)
        _turns(con, "agentonly", [("agent", "hello, is anyone there")])
    return ids


def _call(con, call_id: str, started: datetime) -> None:
    con.execute(
        "INSERT INTO calls (call_id, source_path, file_sha256, started_at, status, created_at, updated_at)"
        " VALUES (?, 'fixture', 'x', ?, 'complete', now(), now())",
        [call_id, started],
    )


def _turns(con, call_id: str, turns: list[tuple[str, str]]) -> None:
    for i, (speaker, text) in enumerate(turns):
        con.execute(
            "INSERT INTO utterances (call_id, idx, speaker, start_s, end_s, text) VALUES (?, ?, ?, ?, ?, ?)",
            [call_id, i, speaker, i * 3.0, i * 3.0 + 2.5, text],
        )
