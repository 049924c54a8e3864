#!/usr/bin/env bash
# Writes the benchmark model set into OUTDIR with `liftoff synth`: real shapes and vocabularies,
# random weights (see src/liftoff/tooling/synth.h). Existing files are kept unless FORCE=1.
#
#   bench/synth_models.sh OUTDIR
#   env: LIFTOFF (default build/liftoff), PRESETS, TYPES, SEED (default 42), THREADS,
#        LIFTOFF_MODELS_DIR (default ../shared/models beside the repo), FORCE
set -euo pipefail

if [ $# -ne 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
outdir=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
liftoff=${LIFTOFF:-$repo/build/liftoff}
presets=${PRESETS:-"smol-135m tinyllama-1.1b"}
types=${TYPES:-"F16 Q8_0 Q4_0 Q4_K"}
seed=${SEED:-42}
export LIFTOFF_MODELS_DIR=${LIFTOFF_MODELS_DIR:-$repo/../shared/models}

if [ ! -x "$liftoff" ]; then
  echo "synth_models.sh: liftoff binary not found at $liftoff (build it or set LIFTOFF)" >&2
  exit 1
fi
mkdir -p "$outdir"
for preset in $presets; do
  for type in $types; do
    out="$outdir/$preset-$(echo "$type" | tr '[:upper:]' '[:lower:]').gguf"
    if [ -f "$out" ] && [ "${FORCE:-0}" != 1 ]; then
      echo "keep  $out"
      continue
    fi
    args=(synth --preset "$preset" --type "$type" --seed "$seed" -o "$out")
    [ -n "${THREADS:-}" ] && args+=(-t "$THREADS")
    echo "+ $liftoff ${args[*]}"
    "$liftoff" "${args[@]}"
  done
done
