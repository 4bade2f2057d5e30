#!/usr/bin/env bash
# Tests scripts/install-infra-ci.sh (the action's installer) against a fake release on disk:
# checksum verified and refused, missing checksum refused, cargo fallback on a missing asset,
# version resolved from the action's Cargo.toml, outputs and GITHUB_PATH written.
# No network: the release is served from file:// URLs and `cargo` is a stub on PATH.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
installer="$here/install-infra-ci.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
ok() {
  passed=$((passed + 1))
  printf 'ok   %s\n' "$1"
}
not_ok() {
  failed=$((failed + 1))
  printf 'FAIL %s\n' "$1"
  [[ -f "$work/err" ]] && sed 's/^/     | /' "$work/err"
}

target=x86_64-unknown-linux-musl
release="$work/release"

# A release v1.2.3 whose asset holds a stand-in binary that prints its version.
make_release() {
  local v="$1" pkg="$work/pkg"
  mkdir -p "$pkg" "$release/$v"
  printf '#!/bin/sh\necho "infra-ci %s"\n' "${v#v}" >"$pkg/infra-ci"
  chmod +x "$pkg/infra-ci"
  tar -czf "$release/$v/infra-ci-$target.tar.gz" -C "$pkg" infra-ci
  (cd "$release/$v" && sha256sum "infra-ci-$target.tar.gz" >"infra-ci-$target.tar.gz.sha256")
}
make_release v1.2.3

# Runs the installer in a clean Actions-like environment; extra VAR=value pairs go first.
run_installer() {
  local case_dir="$work/case"
  rm -rf "$case_dir"
  mkdir -p "$case_dir/bin-stub"
  : >"$case_dir/output"
  : >"$case_dir/path"
  # A cargo stub that "builds" by writing a binary where `cargo install --root R` would.
  cat >"$case_dir/bin-stub/cargo" <<'STUB'
#!/usr/bin/env bash
echo "$*" >"$CARGO_STUB_LOG"
root=""
while [[ $# -gt 0 ]]; do
  if [[ "$1" == --root ]]; then root="$2"; shift; fi
  shift
done
mkdir -p "$root/bin"
printf '#!/bin/sh\necho "infra-ci built-from-source"\n' >"$root/bin/infra-ci"
chmod +x "$root/bin/infra-ci"
STUB
  chmod +x "$case_dir/bin-stub/cargo"
  env -i PATH="$case_dir/bin-stub:$PATH" HOME="$work" \
    RUNNER_OS=Linux RUNNER_ARCH=X64 RUNNER_TEMP="$case_dir/tmp" \
    GITHUB_OUTPUT="$case_dir/output" GITHUB_PATH="$case_dir/path" \
    CARGO_STUB_LOG="$case_dir/cargo.log" \
    INFRA_CI_RELEASE_URL="file://$release" \
    "$@" bash "$installer" >"$work/out" 2>"$work/err"
}

# 1. A pinned version installs, verifies and reports its outputs.
if run_installer INFRA_CI_VERSION=v1.2.3 &&
  grep -q 'sha256 verified' "$work/err" &&
  grep -qx "path=$work/case/tmp/infra-ci/bin/infra-ci" "$work/case/output" &&
  grep -qx 'version=v1.2.3' "$work/case/output" &&
  grep -qx "$work/case/tmp/infra-ci/bin" "$work/case/path" &&
  [[ "$("$work/case/tmp/infra-ci/bin/infra-ci")" == "infra-ci 1.2.3" ]]; then
  ok "installs a verified release asset and writes outputs and GITHUB_PATH"
else not_ok "installs a verified release asset and writes outputs and GITHUB_PATH"; fi

# 2. A version without the leading v is the same tag.
if run_installer INFRA_CI_VERSION=1.2.3 && grep -qx 'version=v1.2.3' "$work/case/output"; then
  ok "accepts a version without its leading v"
else not_ok "accepts a version without its leading v"; fi

# 3. No version input: the action's own Cargo.toml decides (an action pinned by SHA).
mkdir -p "$work/action"
printf '[workspace.package]\nversion = "1.2.3"\nedition = "2024"\n' >"$work/action/Cargo.toml"
if run_installer INFRA_CI_ACTION_REF=0123456789abcdef0123456789abcdef01234567 \
  INFRA_CI_ACTION_PATH="$work/action" && grep -qx 'version=v1.2.3' "$work/case/output"; then
  ok "resolves the version from the action's Cargo.toml when pinned by SHA"
else not_ok "resolves the version from the action's Cargo.toml when pinned by SHA"; fi

# 4. A version-tag action ref wins over Cargo.toml.
make_release v1.3.0
if run_installer INFRA_CI_ACTION_REF=v1.3.0 INFRA_CI_ACTION_PATH="$work/action" &&
  grep -qx 'version=v1.3.0' "$work/case/output"; then
  ok "resolves the version from a version-tag action ref"
else not_ok "resolves the version from a version-tag action ref"; fi

# 5. A tampered asset is refused and nothing is put on PATH.
make_release v2.0.0
echo "0000000000000000000000000000000000000000000000000000000000000000  infra-ci-$target.tar.gz" \
  >"$release/v2.0.0/infra-ci-$target.tar.gz.sha256"
if ! run_installer INFRA_CI_VERSION=v2.0.0 && grep -q 'checksum mismatch' "$work/err" &&
  [[ ! -s "$work/case/path" ]]; then
  ok "refuses an asset whose checksum does not match"
else not_ok "refuses an asset whose checksum does not match"; fi

# 6. An asset without a .sha256 file is refused.
make_release v2.1.0
rm "$release/v2.1.0/infra-ci-$target.tar.gz.sha256"
if ! run_installer INFRA_CI_VERSION=v2.1.0 && grep -q 'refusing an unverified binary' "$work/err"; then
  ok "refuses an asset without a checksum file"
else not_ok "refuses an asset without a checksum file"; fi

# 7. No asset for the platform: cargo install --locked --git --tag is the fallback.
mkdir -p "$release/v3.0.0"
if run_installer INFRA_CI_VERSION=v3.0.0 INFRA_CI_REPOSITORY=acme/infra-ci &&
  grep -qx -- "install --locked --git https://github.com/acme/infra-ci --tag v3.0.0 --root $work/case/tmp/infra-ci infra-ci" \
    "$work/case/cargo.log" &&
  [[ "$("$work/case/tmp/infra-ci/bin/infra-ci")" == "infra-ci built-from-source" ]]; then
  ok "falls back to cargo install --locked --git --tag when no asset exists"
else not_ok "falls back to cargo install --locked --git --tag when no asset exists"; fi

# 9. Pinned by commit SHA: the asset is installed only when gh verifies its provenance from
#    that commit; else the binary is built from the action's own checkout (that commit).
commit=0123456789abcdef0123456789abcdef01234567
mkdir -p "$work/action/crates/cli" "$work/gh-ok" "$work/gh-no"
touch "$work/action/crates/cli/Cargo.toml"
# gh stubs that record their arguments and say yes (or no) to `attestation verify`.
for verdict in ok:0 no:1; do
  cat >"$work/gh-${verdict%%:*}/gh" <<STUB
#!/bin/sh
echo "\$*" >"\$GH_STUB_LOG"
exit ${verdict##*:}
STUB
done
chmod +x "$work/gh-ok/gh" "$work/gh-no/gh"
if run_installer PATH="$work/gh-ok:$work/case/bin-stub:$PATH" GH_STUB_LOG="$work/gh.log" INFRA_CI_ACTION_REF="$commit" \
  INFRA_CI_ACTION_PATH="$work/action" INFRA_CI_REPOSITORY=acme/infra-ci &&
  grep -q -- "attestation verify .* --repo acme/infra-ci --source-digest $commit --signer-workflow acme/infra-ci/.github/workflows/release.yml" "$work/gh.log" &&
  grep -q 'provenance verified' "$work/err" &&
  [[ "$("$work/case/tmp/infra-ci/bin/infra-ci")" == "infra-ci 1.2.3" ]]; then
  ok "a SHA-pinned action installs the release asset attested as built from that commit"
else not_ok "a SHA-pinned action installs the release asset attested as built from that commit"; fi

if run_installer PATH="$work/gh-no:$work/case/bin-stub:$PATH" GH_STUB_LOG="$work/gh.log" INFRA_CI_ACTION_REF="$commit" \
  INFRA_CI_ACTION_PATH="$work/action" &&
  grep -qx -- "install --locked --path $work/action/crates/cli --root $work/case/tmp/infra-ci" "$work/case/cargo.log" &&
  [[ "$("$work/case/tmp/infra-ci/bin/infra-ci")" == "infra-ci built-from-source" ]]; then
  ok "an asset without provenance from the pinned commit is replaced by a build of that commit"
else not_ok "an asset without provenance from the pinned commit is replaced by a build of that commit"; fi

if run_installer INFRA_CI_ACTION_REF="$commit" INFRA_CI_ACTION_PATH="$work/action" &&
  grep -q 'gh is not installed' "$work/err" &&
  grep -qx -- "install --locked --path $work/action/crates/cli --root $work/case/tmp/infra-ci" "$work/case/cargo.log"; then
  ok "without gh, a SHA-pinned action builds its own commit"
else not_ok "without gh, a SHA-pinned action builds its own commit"; fi

# 8. A version that is not a tag never reaches a URL or cargo.
if ! run_installer 'INFRA_CI_VERSION=v1;rm -rf /' && grep -q 'is not a release tag' "$work/err" &&
  [[ ! -s "$work/case/cargo.log" ]]; then
  ok "rejects a version that is not a release tag"
else not_ok "rejects a version that is not a release tag"; fi

echo "install-tests: $passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
