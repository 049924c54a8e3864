#!/usr/bin/env bash
# The test command of the README and of CI: set up, build, then run the default suite
# (unit + golden + integration). Slow, fuzz and benchmark runs have their own commands.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
ctest --test-dir build -L 'unit|golden|integration' --output-on-failure -j "$(nproc)" --timeout 600
