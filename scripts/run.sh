#!/usr/bin/env bash
# The main job of the README: set up, build, then generate from the default model.
# Arguments are passed to `liftoff run` (default prompt: "Once upon a time").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
if [ "$#" -eq 0 ]; then set -- -p "Once upon a time" -n 64; fi
exec build/liftoff run "$@"
