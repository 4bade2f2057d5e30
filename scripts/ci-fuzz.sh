#!/usr/bin/env bash
# CI: build the fuzz crate (libFuzzer, stable toolchain) and replay its corpus once.
# Longer runs that grow the corpus: docs/reliability.md, "Fuzzing".
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v c++ >/dev/null 2>&1; then
  # libfuzzer-sys compiles libFuzzer from C++ source.
  apt-get update -qq && apt-get install -y -qq g++ >/dev/null
fi
bash fuzz/run.sh replay
