#!/usr/bin/env bash
# Size, decode speed and perplexity of pruned models against the original, per pruning setting
# and importance method, as in BENCHMARKS.md "Pruning".
#
#   bench/prune_quality.sh [-t THREADS] [-r REPS] [MODEL.gguf]
#
#   MODEL default ../shared/models/gguf/stories260K-f32.gguf; THREADS default 2; REPS default 3.
#   Perplexity: ../shared/reference/ppl.txt, -c 128 (llama-perplexity's chunks, as in
#   ../shared/reference/perplexity.json). Activation importance is calibrated on text the model
#   itself generates (seeded, ~2000 tokens), never on the evaluation text.
#   Speed: `liftoff bench -p 0 -n 128 -r REPS`, median tok/s.
#   env: LIFTOFF (default build/liftoff), LLAMA_CPP_BUILD (optional: also run that build's
#        llama-perplexity on every pruned file, to show llama.cpp loads it), KEEP=DIR (keep files).
set -euo pipefail

threads=2 reps=3
while getopts "t:r:h" opt; do
  case $opt in
    t) threads=$OPTARG ;;
    r) reps=$OPTARG ;;
    *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
repo=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "$repo/../shared" 2>/dev/null && pwd || echo "$repo/../shared")
model=${1:-$shared/models/gguf/stories260K-f32.gguf}
text=$shared/reference/ppl.txt
liftoff=${LIFTOFF:-$repo/build/liftoff}
work=${KEEP:-$(mktemp -d)}
mkdir -p "$work"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT

# Calibration text: the model's own samples (data-free; keeps ppl.txt unseen).
: > "$work/calib.txt"
for seed in 1 2 3 4; do
  "$liftoff" run -m "$model" -p "Once upon a time" -n 500 --temp 0.8 --seed $seed -t "$threads" \
      2>/dev/null >> "$work/calib.txt"
done

median_tg() {  # median_tg MODEL -> median tok/s of tg128
  "$liftoff" bench -m "$1" -p 0 -n 128 -r "$reps" -t "$threads" --json |
    /usr/bin/python3 -c 'import json,sys; print("%.0f" % json.load(sys.stdin)[0]["median_ts"])'
}
source "$repo/bench/perplexity_lib.sh"
ppl() { liftoff_ppl "$liftoff" "$1" "$text" 128 "$threads"; }  # ppl MODEL -> PPL
llama_ppl_or_dash() {  # MODEL -> llama-perplexity's PPL, "-" without LLAMA_CPP_BUILD
  if [ -n "${LLAMA_CPP_BUILD:-}" ]; then
    llama_ppl "$LLAMA_CPP_BUILD/bin/llama-perplexity" "$1" "$text" 128 "$threads"
  else
    echo "-"
  fi
}

echo "| setting | method | n_ff | heads (q/kv) | size (bytes) | tg128 tok/s (median of $reps) | PPL | llama.cpp PPL |"
echo "|---|---|---:|---|---:|---:|---:|---:|"
echo "| original | - | $("$liftoff" prune "$model" "$work/same.gguf" --bench-gen 0 --json |
  /usr/bin/python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["n_ff"][0], "|", "%d/%d" % (j["n_head"][0], j["n_head_kv"][0]))') | $(stat -c %s "$model") | $(median_tg "$model") | $(ppl "$model") | $(llama_ppl_or_dash "$model") |"
for setting in "--ffn 0.25" "--ffn 0.5" "--heads 0.25" "--ffn 0.25 --heads 0.25"; do
  for method in magnitude activation; do
    out="$work/pruned-${method}-$(echo "$setting" | tr -d ' -').gguf"
    # shellcheck disable=SC2086
    info=$("$liftoff" prune "$model" "$out" $setting --method $method --calib "$work/calib.txt" \
        --bench-gen 0 -t "$threads" --json |
      /usr/bin/python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["n_ff"][1], "|", "%d/%d" % (j["n_head"][1], j["n_head_kv"][1]))')
    echo "| \`$setting\` | $method | $info | $(stat -c %s "$out") | $(median_tg "$out") | $(ppl "$out") | $(llama_ppl_or_dash "$out") |"
  done
done
echo
echo "command: LIFTOFF=$liftoff ${LLAMA_CPP_BUILD:+LLAMA_CPP_BUILD=$LLAMA_CPP_BUILD }bench/prune_quality.sh -t $threads -r $reps $model"
