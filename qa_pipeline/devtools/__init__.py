"""Development tools: the sample-call renderer (espeak-ng), the pipeline and diarization benchmarks, the
synthetic database for rescoring benchmarks.

Nothing in the runtime path imports this package; the CLI's ``samples``, ``bench`` and
``diarize bench`` commands import it when they run (``tests/test_architecture.py`` checks both).
"""
