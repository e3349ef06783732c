"""CLI commands: asr (filled in by its issue)."""
