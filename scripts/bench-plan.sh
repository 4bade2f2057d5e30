#!/usr/bin/env bash
# Plan summary benchmark: throughput and peak memory of infra-ci-plan vs jq on a large
# `terraform show -json` plan. Not part of the test suite; figures go to BENCHMARKS.md
# ("Plan summary throughput and memory (vs jq)").
#
# usage: scripts/bench-plan.sh            # 500 MB plan, best of 3 runs each
#        SIZE_MB=100 REPS=1 scripts/bench-plan.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE_MB=${SIZE_MB:-500}
REPS=${REPS:-3}
JQ=${JQ:-/usr/bin/jq}
DATA_DIR=bench-data
DATA=$DATA_DIR/plan-${SIZE_MB}mb.json
EXPECTED=$DATA.expected
# The same counts our summary reports, computed by jq over the whole document.
JQ_PROGRAM='[.resource_changes[].change.actions|join(",")]|group_by(.)|map({(.[0]):length})|add'

if [ ! -x /usr/bin/time ]; then
  echo "GNU time is missing: apt-get install -y time" >&2
  exit 1
fi

cargo build --release -p infra-ci-plan --example summarize
OURS=target/release/examples/summarize

mkdir -p "$DATA_DIR"
if [ ! -s "$DATA" ] || [ ! -s "$EXPECTED" ]; then
  echo "generating $DATA (~${SIZE_MB} MB) from tests/fixtures/terraform ..." >&2
  python3 crates/plan/bench/gen_plan.py tests/fixtures/terraform "$DATA.tmp" "$SIZE_MB" >"$EXPECTED.tmp"
  mv "$DATA.tmp" "$DATA"
  mv "$EXPECTED.tmp" "$EXPECTED"
fi
BYTES=$(stat -c %s "$DATA")
cat "$DATA" >/dev/null # warm the page cache so both tools read from memory

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# run <name> <cmd...>: best wall time (s) and max RSS (kB) over REPS runs -> $WORK/<name>.res
run() {
  local name=$1
  shift
  local best="" rss=0
  for _ in $(seq "$REPS"); do
    /usr/bin/time -v -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
    local wall kb
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$WORK/$name.time")
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$name.time")
    if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$wall; fi
    if [ "$kb" -gt "$rss" ]; then rss=$kb; fi
  done
  echo "$best $rss" >"$WORK/$name.res"
}

run ours "$OURS" "$DATA"
run jq "$JQ" -c "$JQ_PROGRAM" "$DATA"

# Both must agree with the generator's counts.
ours_counts=$("$JQ" -c '{"create":.create,"delete":.delete,"delete,create":.replace,"no-op":.no_op}|with_entries(select(.value>0))' "$WORK/ours.out")
jq_counts=$("$JQ" -S -c . "$WORK/jq.out")
expected=$("$JQ" -S -c . "$EXPECTED")
if [ "$("$JQ" -S -c . <<<"$ours_counts")" != "$expected" ] || [ "$jq_counts" != "$expected" ]; then
  echo "count mismatch: ours=$ours_counts jq=$jq_counts expected=$expected" >&2
  exit 1
fi

read -r ours_s ours_kb <"$WORK/ours.res"
read -r jq_s jq_kb <"$WORK/jq.res"
awk -v bytes="$BYTES" -v os="$ours_s" -v ok="$ours_kb" -v js="$jq_s" -v jk="$jq_kb" -v reps="$REPS" -v expected="$expected" -v jqv="$("$JQ" --version)" 'BEGIN {
  mb = bytes / 1e6
  printf "plan: %.0f MB (%d bytes), best of %d runs, counts verified: %s\n\n", mb, bytes, reps, expected
  printf "| tool | wall (s) | throughput (MB/s) | peak RSS (MB) |\n|---|---:|---:|---:|\n"
  printf "| infra-ci-plan (examples/summarize) | %.2f | %.0f | %.1f |\n", os, mb / os, ok * 1024 / 1e6
  printf "| %s (group_by of actions) | %.2f | %.0f | %.1f |\n", jqv, js, mb / js, jk * 1024 / 1e6
  printf "\nthroughput ratio: %.1fx jq; memory: %.0fx less than jq\n", js / os, jk / ok
}'
