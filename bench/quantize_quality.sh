#!/usr/bin/env bash
# Quantization quality of `liftoff quantize` against `llama-quantize`, on the same F32 models:
# for each type, both tools quantize the F32 file; both outputs are scored by `liftoff
# perplexity` (so llama-quantize's file must load in liftoff), ours also by `llama-perplexity`
# (so ours must load in llama.cpp); file sizes, decode speed of ours (`liftoff bench -p 0`) and
# whether the two files' tensors are byte-identical (bench/gguf_tensor_diff.py) are reported.
#
#   LLAMA_CPP_BUILD=/path/to/llama.cpp/build bench/quantize_quality.sh [-t THREADS] [-r REPS]
#       [-n N_GEN] [-c CTX] [-s SYNTH.gguf] [MODEL_F32.gguf ...]
#
#   -s SYNTH.gguf: also a second table for a model with random weights (e.g. `liftoff synth
#   --preset smol-135m --type F16`), where perplexity means nothing: per type, sizes, quantize
#   time of both tools, whether every tensor is byte-identical (then their reconstruction
#   errors are identical too) and decode speed of ours.
#
#   THREADS default 2, REPS (bench repetitions, median reported) default 3, N_GEN default 64,
#   CTX (perplexity chunk, as ../shared/reference/perplexity.json) default 128.
#   MODELs default: stories260K-f32 and aidreams260K-f32 from $LIFTOFF_MODELS_DIR (../shared/models).
#   env: LLAMA_CPP_BUILD (required; holds bin/llama-quantize, bin/llama-perplexity),
#        LIFTOFF (default build/liftoff), TEXT (default ../shared/reference/ppl.txt),
#        TYPES (default "Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 Q4_K Q5_K Q6_K"), WORK (default a temp dir,
#        removed at the end unless set).
# Criterion printed per row: ok if our PPL delta vs F32 <= llama.cpp's delta + 1 % of F32's PPL.
set -euo pipefail

usage() { sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

threads=2 reps=3 n_gen=64 ctx=128 synth=""
while getopts "t:r:n:c:s:h" opt; do
  case $opt in
    t) threads=$OPTARG ;;
    r) reps=$OPTARG ;;
    n) n_gen=$OPTARG ;;
    c) ctx=$OPTARG ;;
    s) synth=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))

repo=$(cd "$(dirname "$0")/.." && pwd)
liftoff=${LIFTOFF:-$repo/build/liftoff}
models_dir=${LIFTOFF_MODELS_DIR:-$repo/../shared/models}
text=${TEXT:-$repo/../shared/reference/ppl.txt}
types=${TYPES:-"Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 Q4_K Q5_K Q6_K"}
if [ -z "${LLAMA_CPP_BUILD:-}" ]; then
  echo "quantize_quality.sh: set LLAMA_CPP_BUILD to a llama.cpp build folder (with bin/llama-quantize)" >&2
  exit 1
fi
bin=$LLAMA_CPP_BUILD/bin
for tool in "$bin/llama-quantize" "$bin/llama-perplexity" "$liftoff"; do
  [ -x "$tool" ] || { echo "quantize_quality.sh: $tool not found or not executable" >&2; exit 1; }
done
[ $# -ge 1 ] || set -- "$models_dir/gguf/stories260K-f32.gguf" "$models_dir/gguf/aidreams260K-f32.gguf"
if [ -n "${WORK:-}" ]; then work=$WORK; mkdir -p "$work"; else
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; fi

source "$repo/bench/perplexity_lib.sh"
ppl_liftoff() { liftoff_ppl "$liftoff" "$1" "$text" "$ctx" "$threads"; }  # MODEL -> PPL
ppl_llama() { llama_ppl "$bin/llama-perplexity" "$1" "$text" "$ctx" "$threads"; }  # MODEL -> PPL
tg_median() {  # MODEL -> median decode tok/s of liftoff bench
  "$liftoff" bench -m "$1" -p 0 -n "$n_gen" -r "$reps" -t "$threads" --json |
    python3 -c 'import json,sys; print("%.0f" % json.load(sys.stdin)[0]["median_ts"])'
}
size_kib() { python3 -c "import os,sys; print('%.1f' % (os.path.getsize(sys.argv[1]) / 1024))" "$1"; }

echo "liftoff: $liftoff; llama.cpp: $LLAMA_CPP_BUILD; threads $threads; ctx $ctx; tg$n_gen x $reps (median)"
echo
echo "| model | type | size ours (KiB) | size llama.cpp (KiB) | tensors identical | tg$n_gen tok/s ours | PPL ours (liftoff) | PPL llama.cpp file (liftoff) | PPL ours (llama-perplexity) | delta ours | delta llama.cpp | ok |"
echo "|---|---|--:|--:|:-:|--:|--:|--:|--:|--:|--:|:-:|"
status=0
for model in "$@"; do
  name=$(basename "$model" .gguf); name=${name%-f32}
  base_ppl=$(ppl_liftoff "$model")
  base_llama=$(ppl_llama "$model")
  echo "| $name | F32 | $(size_kib "$model") | = | = | $(tg_median "$model") | $base_ppl | = | $base_llama | | | |"
  for type in $types; do
    ours=$work/$name-$type-liftoff.gguf theirs=$work/$name-$type-llama.gguf
    "$liftoff" quantize "$model" "$ours" --type "$type" -t "$threads" > "$work/quantize.log"
    # llama-quantize has no fallback for 32-block types whose block does not divide a row (the
    # 172-wide ffn_down of these models) and stops; F16 for ffn_down is what our fallback picks
    # and what ../shared/models/MANIFEST.md used for its q8_0/q4_0 files.
    extra=()
    case $type in Q8_0|Q4_0|Q4_1|Q5_0|Q5_1) extra=(--tensor-type ffn_down=f16) ;; esac
    "$bin/llama-quantize" "${extra[@]}" "$model" "$theirs" "$type" "$threads" > "$work/llama-quantize.log" 2>&1
    if python3 "$repo/bench/gguf_tensor_diff.py" "$ours" "$theirs" > "$work/diff.txt"; then same=yes
    else same="no ($(tail -1 "$work/diff.txt"))"; fi
    p_ours=$(ppl_liftoff "$ours")
    p_theirs=$(ppl_liftoff "$theirs")
    p_ours_llama=$(ppl_llama "$ours")
    verdict=$(python3 -c "
b,o,t=$base_ppl,$p_ours,$p_theirs
print('%+.2f%%|%+.2f%%|%s' % (100*(o-b)/b, 100*(t-b)/b, 'ok' if o-b <= t-b + 0.01*b else 'MISS'))")
    IFS='|' read -r d_ours d_theirs ok <<< "$verdict"
    [ "$ok" = ok ] || status=1
    echo "| $name | $type | $(size_kib "$ours") | $(size_kib "$theirs") | $same | $(tg_median "$ours") | $p_ours | $p_theirs | $p_ours_llama | $d_ours | $d_theirs | $ok |"
  done
done
if [ -n "$synth" ]; then
  echo
  echo "| synthetic model | type | size ours (MiB) | size llama.cpp (MiB) | quantize s ours | quantize s llama.cpp | tensors identical | tg$n_gen tok/s ours |"
  echo "|---|---|--:|--:|--:|--:|:-:|--:|"
  name=$(basename "$synth" .gguf)
  mib() { python3 -c "import os,sys; print('%.1f' % (os.path.getsize(sys.argv[1]) / 1048576))" "$1"; }
  echo "| $name | input | $(mib "$synth") | = | | | | $(tg_median "$synth") |"
  for type in $types; do
    ours=$work/$name-$type-liftoff.gguf theirs=$work/$name-$type-llama.gguf
    t0=$(date +%s.%N)
    "$liftoff" quantize "$synth" "$ours" --type "$type" -t "$threads" > "$work/quantize.log"
    t1=$(date +%s.%N)
    "$bin/llama-quantize" "$synth" "$theirs" "$type" "$threads" > "$work/llama-quantize.log" 2>&1
    t2=$(date +%s.%N)
    if python3 "$repo/bench/gguf_tensor_diff.py" "$ours" "$theirs" > "$work/diff.txt"; then
      same="yes ($(tail -1 "$work/diff.txt" | sed 's/.*identical bytes: //'))"
    else same="no ($(tail -1 "$work/diff.txt"))"; status=1; fi
    times=$(python3 -c "print('%.1f|%.1f' % ($t1 - $t0, $t2 - $t1))")
    echo "| $name | $type | $(mib "$ours") | $(mib "$theirs") | ${times%|*} | ${times#*|} | $same | $(tg_median "$ours") |"
    rm -f "$ours" "$theirs"
  done
fi
echo
echo "command: LLAMA_CPP_BUILD=$LLAMA_CPP_BUILD bench/quantize_quality.sh -t $threads -r $reps -n $n_gen -c $ctx${synth:+ -s $synth} $*"
exit $status
