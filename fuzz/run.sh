#!/usr/bin/env bash
# Builds and runs the fuzz targets with libFuzzer (libfuzzer-sys) on the stable toolchain:
# coverage comes from LLVM's SanitizerCoverage pass, which stable rustc enables with -C flags
# alone (no -Z flag, no nightly, no RUSTC_BOOTSTRAP); no AddressSanitizer (that needs -Z).
#
#   fuzz/run.sh build                  build every target (release, instrumented)
#   fuzz/run.sh replay                 run every corpus file once through its target
#   fuzz/run.sh fuzz TARGET SECONDS    fuzz one target, growing fuzz/corpus/TARGET
#
# Needs a C++ compiler (libfuzzer-sys builds libFuzzer from source).
set -euo pipefail
cd "$(dirname "$0")"

TARGETS=(parse_dashboard render_budget status_line route_command route_event)
TRIPLE="$(rustc -vV | sed -n 's/^host: //p')"
OUT="${CARGO_TARGET_DIR:-../target/fuzz}"
BIN="$OUT/$TRIPLE/release"

build() {
  # --target keeps the flags off build scripts and proc macros (they cannot link sancov).
  RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks" \
    cargo build --locked --release --bins --target "$TRIPLE" --target-dir "$OUT"
}

case "${1:-}" in
  build)
    build
    ;;
  replay)
    build
    for t in "${TARGETS[@]}"; do
      # -runs=0: execute every corpus input once, mutate nothing; a failed check aborts.
      "$BIN/$t" -runs=0 "corpus/$t" 2>&1 | tail -n 2
    done
    ;;
  fuzz)
    t="${2:?which target}"
    secs="${3:?how many seconds}"
    build
    "$BIN/$t" -max_total_time="$secs" -max_len=8192 -timeout=10 -print_final_stats=1 "corpus/$t"
    ;;
  *)
    echo "usage: fuzz/run.sh build | replay | fuzz TARGET SECONDS" >&2
    exit 2
    ;;
esac
