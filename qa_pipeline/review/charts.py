"""Inline SVG charts drawn on the server (no JavaScript, no CDN).

The returned markup is built only from numbers and escaped text, so it can be
inserted into a page as-is (Jinja ``Markup``).
"""

from __future__ import annotations

from datetime import date
from html import escape

from markupsafe import Markup

from qa_pipeline.review.summary import RateRow, TrendPoint

AGENT_COLOUR = "#2563eb"
TEAM_COLOUR = "#9ca3af"


def _fmt_day(d: date, bucket: str) -> str:
    return d.strftime("%d %b") if bucket == "day" else "wk " + d.strftime("%d %b")


def trend_chart(points: list[TrendPoint], bucket: str, width: int = 720, height: int = 260) -> Markup:
    """Line chart of the agent's mean final score per bucket, with the team's mean as a grey line."""
    if not points:
        return Markup('<p class="muted">No scored calls in this period.</p>')
    left, right, top, bottom = 40, 16, 34, 34
    w, h = width - left - right, height - top - bottom
    n = len(points)

    def x(i: int) -> float:
        return left + (w / 2 if n == 1 else i * w / (n - 1))

    def y(v: float) -> float:
        return top + h - (max(0.0, min(100.0, v)) / 100.0) * h

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Score trend: agent mean final score per {bucket} against the team" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    for v in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{left}" x2="{left + w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e5e7eb" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11" fill="#6b7280">{v}</text>'
        )
    step = max(1, n // 8)
    for i, p in enumerate(points):
        if i % step == 0 or i == n - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{top + h + 20}" text-anchor="middle" font-size="11" fill="#6b7280">'
                f"{escape(_fmt_day(p.bucket, bucket))}</text>"
            )

    def series(values: list[float | None], colour: str, dash: str, radius: float, label: str) -> None:
        seg: list[str] = []
        for i, v in enumerate(values):
            if v is None:
                if len(seg) > 1:
                    parts.append(_polyline(seg, colour, dash))
                seg = []
                continue
            seg.append(f"{x(i):.1f},{y(v):.1f}")
        if len(seg) > 1:
            parts.append(_polyline(seg, colour, dash))
        for i, v in enumerate(values):
            if v is not None:
                parts.append(
                    f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="{radius}" fill="{colour}">'
                    f"<title>{escape(label)} {escape(_fmt_day(points[i].bucket, bucket))}: {v:.1f}</title></circle>"
                )

    series([p.team_avg for p in points], TEAM_COLOUR, "5 4", 2.5, "team")
    series([p.agent_avg for p in points], AGENT_COLOUR, "", 4, "agent")
    lx, ly = left + w - 140, 10  # legend in the top margin, clear of the data
    parts.append(
        f'<line x1="{lx}" x2="{lx + 20}" y1="{ly}" y2="{ly}" stroke="{AGENT_COLOUR}" stroke-width="3"/>'
        f'<text x="{lx + 25}" y="{ly + 4}" font-size="11" fill="#374151">agent</text>'
        f'<line x1="{lx + 75}" x2="{lx + 95}" y1="{ly}" y2="{ly}" stroke="{TEAM_COLOUR}" '
        f'stroke-width="3" stroke-dasharray="5 4"/>'
        f'<text x="{lx + 100}" y="{ly + 4}" font-size="11" fill="#374151">team</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def _polyline(points: list[str], colour: str, dash: str) -> str:
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2.5" stroke-linejoin="round"{dash_attr}/>'


def rate_bar(row: RateRow, width: int = 180, height: int = 16) -> Markup:
    """Horizontal bar of the agent's pass rate with a tick at the team's rate."""
    a, t = row.agent_rate, row.team_rate
    parts = [
        f'<svg class="bar" width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    parts.append(f'<rect x="0" y="3" width="{width}" height="{height - 6}" rx="3" fill="#eef2f7"/>')
    if a is not None:
        colour = "#16a34a" if a >= 0.85 else ("#d97706" if a >= 0.6 else "#dc2626")
        parts.append(f'<rect x="0" y="3" width="{a * width:.1f}" height="{height - 6}" rx="3" fill="{colour}"/>')
    if t is not None:
        tx = min(width - 1.5, max(1.5, t * width))
        parts.append(
            f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="0" y2="{height}" stroke="#111827" stroke-width="2">'
            f"<title>team {t * 100:.0f}%</title></line>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def hbar_chart(
    rows: list[tuple[str, float | None]],
    *,
    label: str,
    fmt: str = "{:.0f}",
    max_value: float | None = None,
    width: int = 360,
    row_h: int = 20,
) -> Markup:
    """Horizontal bars, one per group (``(name, value)``; None draws no bar): the KPI page's per-group charts."""
    if not rows:
        return Markup('<p class="muted">No calls in this period.</p>')
    left, right = 110, 56
    top = max(max_value or 0.0, *(v for _, v in rows if v is not None), 0.0) or 1.0
    w = width - left - right
    height = row_h * len(rows) + 8
    parts = [
        f'<svg class="chart hbar" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (name, v) in enumerate(rows):
        y = 4 + i * row_h
        short = name if len(name) <= 16 else name[:15] + "…"
        parts.append(
            f'<text x="{left - 6}" y="{y + row_h * 0.65:.1f}" text-anchor="end" font-size="11" fill="#374151">'
            f"{escape(short or '(unknown)')}</text>"
            f'<rect x="{left}" y="{y + 3}" width="{w}" height="{row_h - 6}" rx="3" fill="#eef2f7"/>'
        )
        if v is not None:
            parts.append(
                f'<rect x="{left}" y="{y + 3}" width="{max(0.0, v) / top * w:.1f}" height="{row_h - 6}" rx="3" '
                f'fill="{AGENT_COLOUR}"><title>{escape(name)}: {escape(fmt.format(v))}</title></rect>'
                f'<text x="{left + w + 4}" y="{y + row_h * 0.65:.1f}" font-size="11" fill="#374151">'
                f"{escape(fmt.format(v))}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def interval_chart(
    rows: list[
        tuple[str, tuple[float | None, float | None, float | None], tuple[float | None, float | None, float | None]]
    ],
    *,
    label: str,
    lo: float,
    hi: float,
    width: int = 420,
    row_h: int = 22,
) -> Markup:
    """Per criterion: the mean (dot) and 95 % interval (whisker) when it passed (green) and failed (red)."""
    if not rows:
        return Markup('<p class="muted">No criterion has both a verdict and a survey answer yet.</p>')
    left, right = 150, 16
    w = width - left - right
    height = row_h * len(rows) + 26

    def x(v: float) -> float:
        return left + (min(hi, max(lo, v)) - lo) / (hi - lo) * w

    parts = [
        f'<svg class="chart interval" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        parts.append(
            f'<line x1="{x(v):.1f}" x2="{x(v):.1f}" y1="4" y2="{height - 20}" stroke="#e5e7eb"/>'
            f'<text x="{x(v):.1f}" y="{height - 6}" text-anchor="middle" font-size="10" fill="#6b7280">{v:g}</text>'
        )
    for i, (name, passed, failed) in enumerate(rows):
        y = 4 + i * row_h + row_h / 2
        short = name if len(name) <= 22 else name[:21] + "…"
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#374151">{escape(short)}</text>'
        )
        for (mean, a, b), colour, dy, what in ((passed, "#16a34a", -4, "passed"), (failed, "#dc2626", 4, "failed")):
            if mean is None:
                continue
            if a is not None and b is not None:
                parts.append(
                    f'<line x1="{x(a):.1f}" x2="{x(b):.1f}" y1="{y + dy:.1f}" y2="{y + dy:.1f}" stroke="{colour}" '
                    f'stroke-width="2"/>'
                )
            ci = f" (95 % CI {a:.2f}–{b:.2f})" if a is not None and b is not None else ""
            parts.append(
                f'<circle cx="{x(mean):.1f}" cy="{y + dy:.1f}" r="3.5" fill="{colour}"><title>{escape(name)} '
                f"{what}: {mean:.2f}{escape(ci)}</title></circle>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def week_columns(
    weeks: list[tuple[date, int]], *, label: str, width: int = 220, height: int = 48, highlight_last: bool = False
) -> Markup:
    """Small column chart of calls per week (oldest first), one column per week: the drivers page's trend."""
    if not weeks:
        return Markup('<p class="muted">No dated calls.</p>')
    top = max(n for _, n in weeks) or 1
    gap = 2
    col = min(24.0, max(2.0, (width - gap * (len(weeks) - 1)) / len(weeks)))
    parts = [
        f'<svg class="chart weeks" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg"><line x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}" '
        f'stroke="#d1d5db"/>'
    ]
    for i, (week, n) in enumerate(weeks):
        h = n / top * (height - 4)
        colour = "#dc2626" if highlight_last and i == len(weeks) - 1 else AGENT_COLOUR
        parts.append(
            f'<rect class="week" x="{i * (col + gap):.1f}" y="{height - h:.1f}" width="{col:.1f}" height="{h:.1f}" '
            f'fill="{colour}"><title>{escape(_fmt_day(week, "week"))}: {n} calls</title></rect>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
