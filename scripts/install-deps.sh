#!/usr/bin/env bash
# Installs (idempotently) every Debian 12 package liftoff's build, tests and benchmarks need.
# Safe to run repeatedly: apt-get skips what is already installed, and the package index is only
# refreshed when a package is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libhwy-dev            # Highway SIMD with dynamic dispatch
  libpcre2-dev          # Unicode-aware pre-tokenizer regexes
  libboost-dev          # Beast/Asio (header-only) for the HTTP server and client
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy python3-jinja2 # test data generators run by /usr/bin/python3
  python3-torch         # the convert tests build tiny torch models (tests/tooling/make_torch_models.py)
  curl                  # health checks in bench/ scripts
)
# Node.js + npm run the official OpenAI SDK test (tests/sdk). A machine that already has both
# (e.g. from NodeSource) keeps them: Debian's npm package would conflict with that nodejs.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all packages present"
fi
