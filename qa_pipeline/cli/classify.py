"""CLI commands: classify (filled in by its issue)."""
