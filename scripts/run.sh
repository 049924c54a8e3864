#!/usr/bin/env bash
# The main job of the README: set up, build, then serve the default model over the OpenAI API.
# Arguments are passed to `liftoff serve` (default: http://127.0.0.1:8080); Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
# The server prints "liftoff serve: listening on URL" once it accepts requests; show how to
# query it then. Ctrl-C reaches the server too, which drains and exits 0.
build/liftoff --log-level info serve "$@" | while IFS= read -r line; do
  echo "$line"
  case "$line" in
    *"listening on "*)
      url="${line##*listening on }"
      cat <<HINT

Try it:
  curl $url/v1/chat/completions -H 'Content-Type: application/json' \\
       -d '{"messages": [{"role": "user", "content": "Tell me a story"}], "max_tokens": 64}'
  curl $url/v1/completions -H 'Content-Type: application/json' \\
       -d '{"prompt": "Once upon a time", "max_tokens": 64, "stream": true}'
  curl $url/v1/models
HINT
      ;;
  esac
done
