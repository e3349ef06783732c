"""Search across calls (``/search``) and the criterion tester (``/criteria-test``)."""

from __future__ import annotations

from datetime import date

import duckdb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from qa_pipeline.errors import QAPipelineError
from qa_pipeline.review.auth import User
from qa_pipeline.review.workspace import workspace

SEARCH_LIMIT = 50
TEST_LIMIT_MAX = 2000


def _day(raw: str | None, name: str, errors: list[str]) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(f"'{raw[:40]}' is not a date (use YYYY-MM-DD); {name} was ignored")
        return None


async def search_page(request: Request) -> Response:
    from qa_pipeline.search import SPEAKERS, SearchFilters, meaning_search, phrase_search

    ws = workspace(request)
    q = request.query_params
    text = (q.get("q") or "").strip()[:300]
    mode = "meaning" if q.get("mode") == "meaning" else "phrase"
    errors: list[str] = []
    speaker = q.get("speaker") if q.get("speaker") in SPEAKERS else None
    filters = SearchFilters(
        agent=(q.get("agent") or "").strip()[:100] or None,
        queue=(q.get("queue") or "").strip()[:100] or None,
        speaker=speaker,
        since=_day(q.get("since"), "since", errors),
        until=_day(q.get("until"), "until", errors),
    )

    def work(con: duckdb.DuckDBPyConnection, user: User) -> list:
        if not text:
            return []
        try:
            if mode == "meaning":
                return meaning_search(con, text, filters, SEARCH_LIMIT, db_path=ws.config.db_path)
            return phrase_search(con, text, filters, SEARCH_LIMIT)
        except QAPipelineError as exc:
            errors.append(str(exc))
            return []

    session, user, hits = await ws.authed(request, "search.view", work)
    for e in errors:
        ws.flash(session, "error", e)
    return ws.render(
        request,
        "search.html",
        {"hits": hits, "q": text, "mode": mode, "f": filters, "speakers": SPEAKERS, "limit": SEARCH_LIMIT},
        user=user,
        session=session,
    )


async def criteria_test_page(request: Request) -> Response:
    from qa_pipeline.scorecard.loader import load_scorecards
    from qa_pipeline.scorecard.tester import test_on

    ws = workspace(request)
    q = request.query_params
    card_id = (q.get("card") or "").strip()[:64]
    try:
        limit = max(1, min(TEST_LIMIT_MAX, int(q.get("limit") or 200)))
    except ValueError:
        limit = 200
    errors: list[str] = []

    def work(con: duckdb.DuckDBPyConnection, user: User) -> tuple:
        try:
            cards = load_scorecards(include_inactive=True)
        except QAPipelineError as exc:
            errors.append(str(exc))
            return [], None
        card = next((c for c in cards if c.id == card_id), None)
        if card_id and card is None:
            errors.append(f"no scorecard {card_id!r} in the scorecard directory")
        return cards, (test_on(con, card, limit) if card is not None else None)

    session, user, (cards, report) = await ws.authed(request, "criteria.test", work)
    for e in errors:
        ws.flash(session, "error", e)
    return ws.render(
        request,
        "criteria_test.html",
        {"cards": cards, "card_id": card_id, "limit": limit, "report": report},
        user=user,
        session=session,
    )


routes = [
    Route("/search", search_page),
    Route("/criteria-test", criteria_test_page),
]
