"""CLI commands: review (filled in by its issue)."""
