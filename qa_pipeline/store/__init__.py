"""DuckDB storage: connection discipline, migrations, reads and writes."""

from qa_pipeline.store.db import apply_migrations, connect, transaction, utcnow

__all__ = ["apply_migrations", "connect", "transaction", "utcnow"]
