#!/usr/bin/env bash
# Fails if any file under src/liftoff/<layer>/ includes a header of a layer that is not below it
# (base <- kernels <- formats <- model, tokenizer <- engine <- ops, tooling <- server <- cli).
set -euo pipefail
cd "$(dirname "$0")/.."

allowed() {  # allowed <from> <to>
  local from=$1 to=$2
  [ "$from" = "$to" ] && return 0
  case "$from" in
    base) return 1 ;;
    kernels) [[ $to =~ ^(base)$ ]] ;;
    formats) [[ $to =~ ^(base|kernels)$ ]] ;;
    model|tokenizer) [[ $to =~ ^(base|kernels|formats)$ ]] ;;
    engine) [[ $to =~ ^(base|kernels|formats|model|tokenizer)$ ]] ;;
    ops|tooling) [[ $to =~ ^(base|kernels|formats|model|tokenizer|engine)$ ]] ;;
    server) [[ $to =~ ^(base|kernels|formats|model|tokenizer|engine|ops)$ ]] ;;
    cli) return 0 ;;
    *) return 1 ;;
  esac
}

status=0
while IFS= read -r file; do
  from=$(echo "$file" | cut -d/ -f3)
  while IFS= read -r to; do
    if ! allowed "$from" "$to"; then
      echo "layer violation: $file ($from) includes liftoff/$to/"
      status=1
    fi
  done < <(grep -oE '#include "liftoff/[a-z_]+/' "$file" | sed -E 's|.*liftoff/([a-z_]+)/|\1|' | sort -u)
done < <(find src/liftoff -name '*.h' -o -name '*.cpp' | sort)
[ $status -eq 0 ] && echo "layers ok"
exit $status
