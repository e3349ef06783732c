"""The review workspace: sign-in, review queue, call pages with overrides, calibration, coaching, runs.

``app`` (Starlette routes), ``auth`` (users, roles, scrypt, sessions, CSRF),
``queries`` / ``summary`` (reads), ``actions`` (overrides, reviewed mark),
``playback`` (which recording may be served, redacted, with ranges),
``export`` / ``report`` (CSV, Parquet, self-contained HTML).  See docs/review.md.
"""
