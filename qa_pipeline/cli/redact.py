"""CLI commands: redact (filled in by its issue)."""
