#!/usr/bin/env bash
# Serving throughput and latency of `liftoff serve` against llama.cpp's `llama-server -np 16`,
# driven by the same `liftoff loadtest`, on the same GGUF with the same threads. Both servers run
# at once (idle between runs) and each scenario alternates between them REPS times, so machine
# noise lands on both; medians are compared.
#
#   LLAMA_CPP_BUILD=/path/to/llama.cpp/build bench/serve_compare.sh [-t THREADS] [-r REPS]
#       [-c CTX] MODEL.gguf [MODEL.gguf ...]
#
#   THREADS default 2, REPS default 3, CTX (per sequence / slot) default 1024.
#   Scenarios (streaming, ignore_eos so every request generates exactly max_tokens; prompts of
#   exact token counts built from the model's own vocabulary by loadtest --tokenizer-model):
#     thru16   16 concurrent clients, 128 prompt / 128 output tokens, 64 requests: output tok/s
#     ttft8     8 concurrent clients, 128 prompt / 128 output tokens, 32 requests: TTFT P99
#     prefix    4 concurrent clients, 512-token shared system prompt + 32 unique tokens, 16 output
#               tokens, 24 requests: TTFT P50 of liftoff with prefix caching on vs off
#               (llama-server shown for reference)
#   env: LLAMA_CPP_BUILD (required; holds bin/llama-server), LIFTOFF (default build/liftoff),
#        KEEP_RAW=DIR (keep every loadtest JSON and server log there).
# Prints a markdown table and the commands; exits 1 if a server failed to start.
set -euo pipefail

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

threads=2 reps=3 ctx=1024
while getopts "t:r:c:h" opt; do
  case $opt in
    t) threads=$OPTARG ;;
    r) reps=$OPTARG ;;
    c) ctx=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage

repo=$(cd "$(dirname "$0")/.." && pwd)
liftoff=${LIFTOFF:-$repo/build/liftoff}
python=/usr/bin/python3
if [ -z "${LLAMA_CPP_BUILD:-}" ] || [ ! -x "$LLAMA_CPP_BUILD/bin/llama-server" ]; then
  echo "serve_compare.sh: set LLAMA_CPP_BUILD to a llama.cpp build folder with bin/llama-server" >&2
  exit 1
fi
[ -x "$liftoff" ] || { echo "serve_compare.sh: $liftoff not found (build first, or set LIFTOFF)" >&2; exit 1; }

raw=${KEEP_RAW:-$(mktemp -d)}
mkdir -p "$raw"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

free_port() { $python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_ready() {  # wait_ready PORT NAME
  for _ in $(seq 1 600); do
    if curl -sf "http://127.0.0.1:$1/health" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "serve_compare.sh: $2 did not become ready on port $1 (log: $raw)" >&2
  exit 1
}

loadtest() {  # loadtest PORT OUT.json ARGS...
  local port=$1 out=$2
  shift 2
  "$liftoff" loadtest --url "http://127.0.0.1:$port/v1" --stream --json --timeout 600 \
    --tokenizer-model "$model" "$@" >"$out"
}

metric() {  # metric FILE... -> median of FIELD over the runs that completed requests ($field)
  $python - "$field" "$@" <<'PY'
import json, statistics, sys
field, files = sys.argv[1], sys.argv[2:]
runs = [json.load(open(f)) for f in files]
vals = [r[field] for r in runs if r["completed"] > 0]
print(f"{statistics.median(vals):.2f}" if vals else "refused")
PY
}

ratio() {  # ratio A B -> A / B, or n/a when either side refused every request
  $python -c "import sys; a, b = sys.argv[1:]; print('n/a' if 'refused' in (a, b) else f'{float(a) / float(b):.2f}')" "$1" "$2"
}

echo "# liftoff serve vs llama-server, $(date -u +%Y-%m-%d), threads=$threads, reps=$reps, ctx=$ctx"
echo
echo "| model | scenario | metric | liftoff | llama-server | liftoff / llama-server |"
echo "|---|---|---|---|---|---|"
for model in "$@"; do
  name=$(basename "$model" .gguf)
  p_on=$(free_port) p_off=$(free_port) p_ll=$(free_port)
  "$liftoff" serve -m "$model" --port "$p_on" --threads "$threads" --parallel 16 --ctx "$ctx" \
    >"$raw/$name-liftoff.log" 2>&1 &
  pids+=($!)
  "$liftoff" serve -m "$model" --port "$p_off" --threads "$threads" --parallel 16 --ctx "$ctx" \
    --no-prefix-cache >"$raw/$name-liftoff-nocache.log" 2>&1 &
  pids+=($!)
  "$LLAMA_CPP_BUILD/bin/llama-server" -m "$model" --host 127.0.0.1 --port "$p_ll" -t "$threads" \
    -np 16 -c $((ctx * 16)) >"$raw/$name-llama.log" 2>&1 &
  pids+=($!)
  wait_ready "$p_on" liftoff
  wait_ready "$p_off" "liftoff --no-prefix-cache"
  wait_ready "$p_ll" llama-server

  common=(--prompt-tokens 128 --max-tokens 128 --warmup 4)
  for r in $(seq 1 "$reps"); do
    for who in liftoff llama; do  # alternate who goes first
      [ $((r % 2)) -eq 0 ] && who=$([ $who = liftoff ] && echo llama || echo liftoff)
      port=$([ $who = liftoff ] && echo "$p_on" || echo "$p_ll")
      loadtest "$port" "$raw/$name-thru16-$who-$r.json" -c 16 -n 64 "${common[@]}"
      loadtest "$port" "$raw/$name-ttft8-$who-$r.json" -c 8 -n 32 "${common[@]}"
    done
    for who in on off llama; do
      port=$([ $who = on ] && echo "$p_on" || ([ $who = off ] && echo "$p_off" || echo "$p_ll"))
      # llama-server caps a slot at the model's training context: a small model may refuse.
      loadtest "$port" "$raw/$name-prefix-$who-$r.json" -c 4 -n 24 --warmup 2 \
        --prompt-tokens 544 --shared-prefix 512 --max-tokens 16 --seed "$r" ||
        [ $who = llama ]
    done
  done
  field=output_throughput
  a=$(metric "$raw/$name"-thru16-liftoff-*.json) b=$(metric "$raw/$name"-thru16-llama-*.json)
  echo "| $name | 16 streams, 128/128 | output tok/s (median) | $a | $b | $(ratio "$a" "$b") |"
  field=p99_ttft_ms
  a=$(metric "$raw/$name"-ttft8-liftoff-*.json) b=$(metric "$raw/$name"-ttft8-llama-*.json)
  echo "| $name | 8 streams, 128/128 | TTFT P99 ms (median) | $a | $b | $(ratio "$a" "$b") |"
  field=median_ttft_ms
  on=$(metric "$raw/$name"-prefix-on-*.json) off=$(metric "$raw/$name"-prefix-off-*.json)
  ll=$(metric "$raw/$name"-prefix-llama-*.json)
  echo "| $name | 512 shared + 32 unique, 4 streams | TTFT P50 ms: cache on / off | $on / $off | $ll | off / on = $(ratio "$off" "$on") |"
  cleanup
  pids=()
done
echo
echo "raw loadtest JSON and server logs: $raw"
echo "liftoff: $("$liftoff" --version)  llama.cpp: $(git -C "$LLAMA_CPP_BUILD/.." rev-parse --short HEAD 2>/dev/null || echo unknown)"
