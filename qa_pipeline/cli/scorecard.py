"""CLI commands: scorecard (filled in by its issue)."""
