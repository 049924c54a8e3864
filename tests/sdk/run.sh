#!/usr/bin/env bash
# Installs the pinned OpenAI Node SDK (npm ci, from package-lock.json) once, then runs
# openai_sdk_test.mjs against the given liftoff binary and stories260K from the models folder.
#   tests/sdk/run.sh LIFTOFF_BINARY [MODELS_DIR]   (MODELS_DIR: $LIFTOFF_MODELS_DIR, else ../shared/models)
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "tests/sdk/run.sh: node and npm are needed (scripts/install-deps.sh installs them)" >&2
  exit 1
fi
if [ ! -d "$dir/node_modules/openai" ]; then
  (cd "$dir" && npm ci --no-audit --no-fund --silent)
fi
models=${LIFTOFF_MODELS_DIR:-${2:-$dir/../../../shared/models}}
exec node "$dir/openai_sdk_test.mjs" "$1" "$models/gguf/stories260K-f32.gguf"
