# Perplexity helpers shared by bench/quantize_quality.sh and bench/prune_quality.sh (sourced).

# liftoff_ppl LIFTOFF MODEL TEXT CTX THREADS -> `liftoff perplexity` PPL, 4 decimals
liftoff_ppl() {
  "$1" perplexity -m "$2" -f "$3" -c "$4" -b "$4" -t "$5" --json |
    /usr/bin/python3 -c 'import json,sys; print("%.4f" % json.load(sys.stdin)["ppl"])'
}

# llama_ppl LLAMA_PERPLEXITY MODEL TEXT CTX THREADS -> llama-perplexity's PPL, or "failed"
llama_ppl() {
  # Its logger is asynchronous, and now and then the process exits (status 0) before the
  # "Final estimate" line is written (seen in 1 run of 6, more on a busy machine): retry
  # instead of reporting nothing.
  local ppl="" try
  for try in 1 2 3 4 5 6 7 8 9 10; do
    ppl=$("$1" -m "$2" -f "$3" -c "$4" -b "$4" -t "$5" 2>&1 |
      sed -n 's/.*Final estimate: PPL = \([0-9.]*\).*/\1/p')
    [ -n "$ppl" ] && break
  done
  echo "${ppl:-failed}"
}
