"""PII detectors, one module per kind, all working on a shared
:class:`~qa_pipeline.redact.state.DetectorState` (see :mod:`qa_pipeline.redact.detect` for the order)."""
