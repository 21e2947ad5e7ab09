#!/usr/bin/env bash
# The one test command: installs what the tests need, then runs lint and the whole pytest suite,
# browser tests included. Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
"$PYTHON" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
# `core` as an editable install, so tests, benchmarks and scripts import it from anywhere.
"$PYTHON" -m pip install --quiet --disable-pip-version-check --no-deps -e .

# The browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
fi

"$PYTHON" -m ruff check .
"$PYTHON" -m ruff format --check .
"$PYTHON" -m pytest "$@"
