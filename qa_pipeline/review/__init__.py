"""The review workspace: sign-in, review queue, call pages with overrides, calibration, coaching, runs.

``app`` (builds the Starlette app), ``workspace`` (configuration, database unit of work, templates,
sign-in checks), ``handlers`` (exception handlers and security headers, registered once),
``routes/`` (one module per area), ``auth`` (users, roles, password hashing, sessions, CSRF),
``throttle`` (sign-in throttling, counters kept in the database), ``launch`` (``serve`` as a subprocess),
``queries`` / ``summary`` (reads), ``actions`` (overrides, reviewed mark),
``playback`` (which recording may be served, redacted, with ranges),
``export`` / ``report`` (CSV, Parquet, self-contained HTML).  See docs/review.md.
"""
