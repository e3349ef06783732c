"""The agent summary as one self-contained HTML file (inline CSS and SVG, no scripts, no links out).

Written by ``qa-pipeline report agent AGENT_ID --since DATE`` and offered as a
download on the coach page; it says exactly what the coach page says.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

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


def render_report(summary: AgentSummary) -> str:
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
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(summary), encoding="utf-8")
    logger.info("wrote agent report %s", out)
    return out
