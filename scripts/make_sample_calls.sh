#!/usr/bin/env bash
# Render the bundled sample calls (samples/dialogues.yaml) into samples/calls/.
# Needs espeak-ng and ffmpeg on PATH.  Extra arguments go to the command, e.g. --out /tmp/calls.
set -euo pipefail
cd "$(dirname "$0")/.."
QA=${QA_PIPELINE_BIN:-.venv/bin/qa-pipeline}
if ! "$QA" samples --help >/dev/null 2>&1; then
  # until qa_pipeline/cli/__init__.py imports the samples module
  exec .venv/bin/python -c 'import sys; from qa_pipeline.cli import samples; from qa_pipeline.cli.app import app; sys.argv[0] = "qa-pipeline"; app()' samples make "$@"
fi
exec "$QA" samples make "$@"
