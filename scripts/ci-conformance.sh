#!/usr/bin/env bash
# Real-client conformance (issue 11): unmodified @octokit/rest (npm) and PyGithub (pip),
# pinned in conformance/, drive `infra-ci emulator` over HTTP through a scripted run
# (250 comments paginated, comments created/edited/deleted, statuses and the combined
# status, reactions, reviews, refs, ETag) and fail on any exception or miscount.
# Needs Node with npm and Python 3 with pip; installs the clients into conformance/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

echo "-- clients: npm ci, pip install (pinned)"
(cd conformance && npm ci --no-audit --no-fund --silent)
venv="${CONFORMANCE_VENV:-$root/target/conformance-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r conformance/requirements.txt

echo "-- emulator"
cargo build --quiet --locked -p infra-ci
bin="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/infra-ci"
log="$(mktemp)"
"$bin" emulator --listen 127.0.0.1:0 --repo acme/infra >"$log" 2>&1 &
emu_pid=$!
trap 'kill "$emu_pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do
  grep -q '^listening on ' "$log" && break
  sleep 0.1
done
EMU="$(sed -n 's/^listening on //p' "$log" | head -n1)"
[ -n "$EMU" ] || { echo "the emulator did not start:"; cat "$log"; exit 1; }
export EMU

# Seeding goes through the admin API (exempt from limits), never through the clients.
admin() { curl -sSf -X "$1" "$EMU/_emulator/$2" -H 'content-type: application/json' -d "$3" >/dev/null; }
sha() { printf '%040x' "$1"; }
# Each client has its own pull request and commits: n's head is sha(10n+2), with a child
# sha(10n+3); OTHER_SHA descends from the base only (a non-fast-forward for both).
BASE_SHA="$(sha 1)"; OTHER_SHA="$(sha 4)"
export OTHER_SHA
admin POST users '{"login":"alice","token":"alice-token"}'
admin POST users '{"login":"bob","token":"bob-token","association":"MEMBER"}'
admin POST repos/acme/infra/commits "{\"sha\":\"$BASE_SHA\",\"parents\":[]}"
admin POST repos/acme/infra/commits "{\"sha\":\"$OTHER_SHA\",\"parents\":[\"$BASE_SHA\"]}"
for n in 1 2; do
  head="$(sha $((10 * n + 2)))"; next="$(sha $((10 * n + 3)))"
  admin POST repos/acme/infra/commits "{\"sha\":\"$head\",\"parents\":[\"$BASE_SHA\"]}"
  admin POST repos/acme/infra/commits "{\"sha\":\"$next\",\"parents\":[\"$head\"]}"
  # The head branch exists while the pull request is open, as on GitHub.
  curl -sSf -X POST "$EMU/repos/acme/infra/git/refs" -H 'authorization: Bearer emulator-bot-token' \
    -d "{\"ref\":\"refs/heads/feature-$n\",\"sha\":\"$head\"}" >/dev/null
  admin POST repos/acme/infra/pulls "{\"number\":$n,\"head_sha\":\"$head\",\"base_sha\":\"$BASE_SHA\",\"head_ref\":\"feature-$n\",\"base_ref\":\"main\",\"user\":\"alice\"}"
  admin POST "repos/acme/infra/pulls/$n/reviews" "{\"user\":\"bob\",\"state\":\"APPROVED\",\"commit_id\":\"$head\"}"
  admin POST "repos/acme/infra/issues/$n/comments/bulk" '{"user":"alice","count":250,"body":"noise {i}"}'
done

echo "-- @octokit/rest"
HEAD_SHA="$(sha 12)" NEXT_SHA="$(sha 13)" node conformance/octokit.mjs
echo "-- PyGithub"
HEAD_SHA="$(sha 22)" NEXT_SHA="$(sha 23)" "$venv/bin/python" conformance/pygithub_run.py
