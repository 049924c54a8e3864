#!/usr/bin/env bash
# Throughput of liftoff against llama.cpp on the same GGUF files, measured side by side: for each
# model, `liftoff bench` and `llama-bench` run alternately REPS times (one repetition each per
# run, who goes first swapping each time, so machine noise lands on both equally), and the
# medians of their tok/s are compared.
#
#   LLAMA_CPP_BUILD=/path/to/llama.cpp/build bench/compare_llama_cpp.sh [-t THREADS] [-r REPS]
#       [-p N_PROMPT] [-n N_GEN] MODEL.gguf [MODEL.gguf ...]
#
#   THREADS default 2, REPS default 5, N_PROMPT and N_GEN default 128.
#   env: LLAMA_CPP_BUILD (required; holds bin/llama-bench), LIFTOFF (default build/liftoff),
#        LLAMA_CPP_COMMIT (reported; default: the git commit of LLAMA_CPP_BUILD/.., else
#        llama-bench's own build_commit),
#        LLAMA_BENCH_ARGS (extra llama-bench arguments, e.g. "-ngl 0" on a GPU build),
#        KEEP_RAW=DIR (keep every run's JSON there).
# Prints a markdown table (medians, ratio liftoff/llama.cpp) and the exact commands; exits 1 if
# any run failed (the others are still reported).
set -euo pipefail

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

threads=2 reps=5 n_prompt=128 n_gen=128
while getopts "t:r:p:n:h" opt; do
  case $opt in
    t) threads=$OPTARG ;;
    r) reps=$OPTARG ;;
    p) n_prompt=$OPTARG ;;
    n) n_gen=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage

repo=$(cd "$(dirname "$0")/.." && pwd)
liftoff=${LIFTOFF:-$repo/build/liftoff}
python=/usr/bin/python3
if [ -z "${LLAMA_CPP_BUILD:-}" ]; then
  echo "compare_llama_cpp.sh: set LLAMA_CPP_BUILD to a llama.cpp build folder (with bin/llama-bench)" >&2
  exit 1
fi
llama_bench=$LLAMA_CPP_BUILD/bin/llama-bench
for bin in "$liftoff" "$llama_bench"; do
  if [ ! -x "$bin" ]; then echo "compare_llama_cpp.sh: $bin is not an executable" >&2; exit 1; fi
done
for model in "$@"; do
  if [ ! -f "$model" ]; then echo "compare_llama_cpp.sh: no such model file: $model" >&2; exit 1; fi
done

raw=${KEEP_RAW:-$(mktemp -d)}
mkdir -p "$raw"
[ -n "${KEEP_RAW:-}" ] || trap 'rm -rf "$raw"' EXIT
read -r -a extra <<< "${LLAMA_BENCH_ARGS:-}"

# Runs one benchmark, JSON to $raw/<engine>.<model index>.<rep>.json; a failure is recorded
# (with its stderr) instead of stopping the other runs.
run_one() {  # run_one ENGINE INDEX REP COMMAND...
  local engine=$1 index=$2 rep=$3
  shift 3
  local out=$raw/$engine.$index.$rep.json
  if ! "$@" > "$out" 2> "$raw/$engine.$index.$rep.err"; then
    echo "  $engine run $rep failed: $(tail -n 1 "$raw/$engine.$index.$rep.err")" >&2
    rm -f "$out"
  fi
}

index=0
for model in "$@"; do
  liftoff_cmd=("$liftoff" bench -m "$model" -p "$n_prompt" -n "$n_gen" -t "$threads" -r 1 --json)
  llama_cmd=("$llama_bench" -m "$model" -p "$n_prompt" -n "$n_gen" -t "$threads" -r 1 -o json
             ${extra[@]+"${extra[@]}"})
  printf '%s\n' "${liftoff_cmd[*]}" > "$raw/cmd.liftoff.$index"
  printf '%s\n' "${llama_cmd[*]}" > "$raw/cmd.llama.$index"
  printf '%s\n' "$model" > "$raw/model.$index"
  echo "model $((index + 1))/$#: $model" >&2
  for ((rep = 1; rep <= reps; rep++)); do
    echo "  rep $rep/$reps" >&2
    # Swap who goes first each repetition, so neither engine always runs on a warmer machine.
    if ((rep % 2 == 1)); then
      run_one liftoff "$index" "$rep" "${liftoff_cmd[@]}"
      run_one llama "$index" "$rep" "${llama_cmd[@]}"
    else
      run_one llama "$index" "$rep" "${llama_cmd[@]}"
      run_one liftoff "$index" "$rep" "${liftoff_cmd[@]}"
    fi
  done
  index=$((index + 1))
done

# llama-bench reports "unknown" when built outside a git checkout; the source tree may know.
commit=${LLAMA_CPP_COMMIT:-}
if [ -z "$commit" ] && [ -e "$LLAMA_CPP_BUILD/../.git" ]; then
  commit=$(git -C "$LLAMA_CPP_BUILD/.." rev-parse --short HEAD 2> /dev/null || true)
fi
"$python" - "$raw" "$index" "$threads" "$reps" "$commit" <<'PY'
import json, os, statistics, sys

raw, n_models, threads, reps, commit = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]

def load(path):
    try:
        with open(path) as f:
            text = f.read()
        # llama-bench may print log lines before the JSON array; start at the first '['.
        return json.loads(text[text.index('['):])
    except (OSError, ValueError):
        return None

def test_name(r):
    if "test" in r:
        return r["test"]
    return "pp%d" % r["n_prompt"] if r.get("n_gen", 0) == 0 else "tg%d" % r["n_gen"]

rows, commits, failed_runs = [], set(), 0
for i in range(n_models):
    model = open(os.path.join(raw, "model.%d" % i)).read().strip()
    samples = {"liftoff": {}, "llama": {}}
    ltype, wtype = None, None  # llama.cpp's model_type names the file type ("Q4_K - Small")
    for engine in samples:
        for rep in range(1, reps + 1):
            results = load(os.path.join(raw, "%s.%d.%d.json" % (engine, i, rep)))
            failed_runs += results is None
            for r in results or []:
                samples[engine].setdefault(test_name(r), []).append(float(r["avg_ts"]))
                if engine == "liftoff" and r.get("type"):
                    ltype = r["type"]
                if engine == "llama":
                    if r.get("build_commit") not in (None, "", "unknown"):
                        commits.add(str(r["build_commit"]))
                    wtype = wtype or r.get("model_type")
    tests = sorted(set(samples["liftoff"]) | set(samples["llama"]), key=lambda t: (t[:2] != "pp", t))
    if not tests:
        rows.append((os.path.basename(model), "?", "-", "failed", "failed", "n/a"))
    for t in tests:
        ours, theirs = samples["liftoff"].get(t, []), samples["llama"].get(t, [])
        m_ours = statistics.median(ours) if ours else None
        m_theirs = statistics.median(theirs) if theirs else None
        ratio = "%.2f" % (m_ours / m_theirs) if m_ours and m_theirs else "n/a"
        fmt = lambda m, s: "%.2f (%d runs)" % (m, len(s)) if m is not None else "failed"
        rows.append((os.path.basename(model), wtype or ltype or "?", t, fmt(m_ours, ours), fmt(m_theirs, theirs), ratio))

print("| model file | type | test | liftoff tok/s (median) | llama.cpp tok/s (median) | liftoff/llama.cpp |")
print("| --- | --- | --- | ---: | ---: | ---: |")
for r in rows:
    print("| %s | %s | %s | %s | %s | %s |" % r)
print()
print("threads %s, %d alternating repetitions per engine; llama.cpp commit: %s"
      % (threads, reps, commit or (", ".join(sorted(commits)) if commits else "unknown")))
print()
print("commands (one repetition each, run alternately):")
for i in range(n_models):
    for engine in ("liftoff", "llama"):
        print("    " + open(os.path.join(raw, "cmd.%s.%d" % (engine, i))).read().strip())
if failed_runs:
    print("\n%d run(s) failed; their errors were printed above" % failed_runs)
    sys.exit(1)
PY
