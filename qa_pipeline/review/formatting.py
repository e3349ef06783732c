"""Jinja filters shared by the web pages and the HTML report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from jinja2 import Environment


def mmss(seconds: Any) -> str:
    if seconds is None:
        return "—"
    s = round(float(seconds))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def duration(seconds: Any) -> str:
    if seconds is None:
        return "—"
    s = float(seconds)
    if s < 60:
        return f"{s:.1f} s" if s < 10 else f"{s:.0f} s"
    m, sec = divmod(round(s), 60)
    if m < 60:
        return f"{m} min {sec:02d} s"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min"


def dt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def day(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, (datetime, date)):
        return value.strftime("%d %b %Y")
    return str(value)


def pct(rate: Any, digits: int = 0) -> str:
    if rate is None:
        return "—"
    return f"{float(rate) * 100:.{digits}f}%"


def score(value: Any) -> str:
    if value is None:
        return "—"
    v = float(value)
    return f"{v:.0f}" if abs(v - round(v)) < 0.05 else f"{v:.1f}"


def score_class(value: Any) -> str:
    if value is None:
        return "s-none"
    v = float(value)
    return "s-good" if v >= 85 else ("s-mid" if v >= 70 else "s-bad")


def humanize_id(value: Any) -> str:
    """``first_contact_resolution`` → ``First contact resolution``."""
    if value is None:
        return "—"
    raw = str(value)
    unit = ""
    for suffix, name in (("_s", " (s)"), ("_ms", " (ms)"), ("_pct", " (%)")):
        if raw.endswith(suffix) and len(raw) > len(suffix):
            raw, unit = raw[: -len(suffix)], name
            break
    text = raw.replace("_", " ").replace("-", " ").strip() + unit
    return text[:1].upper() + text[1:]


ROLE_NAMES = {
    "qa_specialist": "QA specialist",
    "coach": "Coach",
    "supervisor": "Supervisor",
    "admin": "Admin",
    "agent": "Agent",
}


def role_name(role: Any) -> str:
    return ROLE_NAMES.get(str(role), humanize_id(role))


def basename(path: Any) -> str:
    text = str(path or "")
    return text.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def dirname(path: Any) -> str:
    text = str(path or "").replace("\\", "/").rstrip("/")
    return text.rsplit("/", 1)[0] if "/" in text else ""


def value(v: Any) -> str:
    """A measured value as a reader wants it: no Python ``None``/``True``/repr, numbers to 3 figures."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, float)):
        return f"{v:.3g}"
    if isinstance(v, (list, tuple)):
        return ", ".join(value(x) for x in v) if v else "—"
    if isinstance(v, dict):
        return "; ".join(f"{humanize_id(k)} {value(x)}" for k, x in v.items()) if v else "—"
    return str(v)


def install_filters(env: Environment) -> None:
    env.filters.update(
        mmss=mmss,
        duration=duration,
        dt=dt,
        day=day,
        pct=pct,
        score=score,
        score_class=score_class,
        human=humanize_id,
        role=role_name,
        basename=basename,
        dirname=dirname,
        value=value,
    )
