"""The agent summary as one self-contained HTML file (inline CSS and SVG, no scripts, no links out).

Written by ``qa-pipeline report agent AGENT_ID --since DATE`` and offered as a
download on the coach page; it says exactly what the coach page says.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from qa_pipeline.kpi.summary import kpi_summary
from qa_pipeline.review import charts
from qa_pipeline.review.formatting import install_filters
from qa_pipeline.review.summary import AgentSummary, agent_summary
from qa_pipeline.store.db import connect, utcnow

logger = logging.getLogger("qa_pipeline.review.report")

_CSS_PATH = Path(__file__).parent / "static" / "app.css"


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("qa_pipeline.review", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    install_filters(env)
    return env


@dataclass(frozen=True)
class ReportKpis:
    """The agent's contact-centre KPIs beside everyone's, over the report's period (from the roll-ups)."""

    agent: dict[str, Any] | None
    everyone: dict[str, Any] | None


def report_kpis(con: duckdb.DuckDBPyConnection, summary: AgentSummary) -> ReportKpis:
    rows = kpi_summary(con, "agent", since=summary.since, until=summary.until)
    mine = next((r for r in rows if r["agent_id"] == summary.agent_id), None)
    everyone = kpi_summary(con, "all", since=summary.since, until=summary.until)
    return ReportKpis(mine, everyone[0] if everyone else None)


def render_report(summary: AgentSummary, kpis: ReportKpis | None = None) -> str:
    css = _CSS_PATH.read_text(encoding="utf-8")
    if "</" in css:  # the stylesheet is ours; never let it close the <style> element
        css = css.replace("</", "<\\/")
    return (
        _env()
        .get_template("report.html")
        .render(
            s=summary,
            css=Markup(css),
            chart=charts.trend_chart(summary.trend, summary.bucket),
            bar=charts.rate_bar,
            kpis=kpis,
            generated=utcnow(),
        )
    )


def write_agent_report(
    db_path: str | Path,
    agent_id: str,
    since: date,
    out: str | Path,
    *,
    until: date | None = None,
    scorecard_id: str | None = None,
) -> Path:
    """Read the summary (one short read-only connection) and write the HTML file."""
    with connect(db_path, read_only=True) as con:
        summary = agent_summary(con, agent_id, since, until, scorecard_id)
        kpis = report_kpis(con, summary)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(summary, kpis), encoding="utf-8")
    logger.info("wrote agent report %s", out)
    return out
