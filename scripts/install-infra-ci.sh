#!/usr/bin/env bash
# Installs the infra-ci binary for the composite action (action.yml); runnable by hand too.
#
# Picks the release asset for this runner (RUNNER_OS / RUNNER_ARCH, or uname), downloads it
# with its .sha256 file, refuses it unless the checksum matches, and unpacks it into
# INFRA_CI_INSTALL_DIR. When the release has no asset for this platform (HTTP 404), it falls
# back to building from source with cargo.
#
# Pinned by commit SHA (`uses: infra-ci/infra-ci@<40 hex>`, no `version` input), the binary
# must be provably built from that commit: the release asset is installed only when its
# build provenance attestation (made by release.yml) names that commit as its source
# (`gh attestation verify --source-digest <sha> --signer-workflow …/release.yml`); otherwise
# the binary is built with `cargo install --locked --path` from the action's own checkout,
# which *is* that commit. A checksum from the same release proves only that the download is
# intact, not where the binary came from; a tag can be moved, so no fallback builds from one.
#
# Everything comes in through the environment (the action maps its inputs to these), so no
# workflow expression is ever pasted into shell text:
#   INFRA_CI_VERSION      vX.Y.Z, X.Y.Z or "latest"; empty: see resolve_version below
#   INFRA_CI_REPOSITORY   owner/name of the release repository (default infra-ci/infra-ci)
#   INFRA_CI_ACTION_REF   the ref the action was used at (github.action_ref), may be empty
#   INFRA_CI_ACTION_PATH  the action's checkout (github.action_path), for its Cargo.toml
#   INFRA_CI_INSTALL_DIR  where the binary goes (default $RUNNER_TEMP/infra-ci/bin)
#   INFRA_CI_RELEASE_URL  base URL of release downloads, for mirrors and tests
#                         (default $GITHUB_SERVER_URL/<repo>/releases/download)
#   INFRA_CI_TOKEN        token for the GitHub API (only used to resolve "latest")
# Writes `path`, `dir` and `version` to $GITHUB_OUTPUT and the directory to $GITHUB_PATH
# when those files are set.
set -euo pipefail

log() { printf 'infra-ci install: %s\n' "$*" >&2; }
die() {
  # ::error:: makes the message show on the run's summary page.
  printf '::error title=infra-ci install::%s\n' "$*" >&2
  exit 1
}

REPOSITORY="${INFRA_CI_REPOSITORY:-infra-ci/infra-ci}"
SERVER_URL="${GITHUB_SERVER_URL:-https://github.com}"
API_URL="${GITHUB_API_URL:-https://api.github.com}"

# The Rust target triple whose release asset runs here.
detect_target() {
  local os="${RUNNER_OS:-}" arch="${RUNNER_ARCH:-}"
  if [[ -z "$os" ]]; then
    case "$(uname -s)" in
      Linux) os=Linux ;;
      Darwin) os=macOS ;;
      MINGW* | MSYS* | CYGWIN*) os=Windows ;;
      *) os="$(uname -s)" ;;
    esac
  fi
  if [[ -z "$arch" ]]; then
    case "$(uname -m)" in
      x86_64 | amd64) arch=X64 ;;
      aarch64 | arm64) arch=ARM64 ;;
      *) arch="$(uname -m)" ;;
    esac
  fi
  case "$os/$arch" in
    Linux/X64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64) echo aarch64-unknown-linux-musl ;;
    macOS/X64) echo x86_64-apple-darwin ;;
    macOS/ARM64) echo aarch64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    *) echo "unsupported:$os/$arch" ;;
  esac
}

# The tag to install. Order: the `version` input; the action's own ref when it is a version
# tag; the version in the action's own Cargo.toml (so an action pinned by commit SHA installs
# the binary released from that commit); otherwise the latest release.
resolve_version() {
  local v="${INFRA_CI_VERSION:-}"
  if [[ -z "$v" && "${INFRA_CI_ACTION_REF:-}" =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]]; then
    v="$INFRA_CI_ACTION_REF"
  fi
  if [[ -z "$v" && -n "${INFRA_CI_ACTION_PATH:-}" && -f "$INFRA_CI_ACTION_PATH/Cargo.toml" ]]; then
    # The first `version = "X.Y.Z"` line is [workspace.package]'s.
    v="$(sed -n 's/^version *= *"\([0-9][^"]*\)".*/\1/p' "$INFRA_CI_ACTION_PATH/Cargo.toml" | head -n 1)"
  fi
  [[ -n "$v" ]] || v=latest
  if [[ "$v" == latest ]]; then
    v="$(latest_tag)" || die "cannot resolve the latest release of $REPOSITORY; set the action's version input to a tag such as v0.1.0"
  fi
  [[ "$v" == v* ]] || v="v$v"
  [[ "$v" =~ ^v[0-9A-Za-z.+-]+$ ]] || die "version '$v' is not a release tag such as v0.1.0"
  echo "$v"
}

latest_tag() {
  local auth=() body
  [[ -n "${INFRA_CI_TOKEN:-}" ]] && auth=(-H "Authorization: Bearer $INFRA_CI_TOKEN")
  # ${auth[@]+...}: macOS ships bash 3.2, where an empty array under `set -u` is an error.
  body="$(curl -fsSL --retry 3 ${auth[@]+"${auth[@]}"} -H 'Accept: application/vnd.github+json' \
    "$API_URL/repos/$REPOSITORY/releases/latest")" || return 1
  # No jq on every runner: the tag is a plain string, so a pattern is enough.
  sed -n 's/^ *"tag_name": *"\([^"]*\)".*/\1/p' <<<"$body" | head -n 1 | grep .
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  else
    shasum -a 256 "$1" | cut -d ' ' -f 1
  fi
}

# Downloads $1 to $2. Exit 0 when fetched, 2 when it does not exist (HTTP 404, or a missing
# file:// path), 1 otherwise.
fetch() {
  local code rc=0
  code="$(curl -sSL --retry 3 -o "$2" -w '%{http_code}' "$1")" || rc=$?
  [[ "$rc" -eq 37 ]] && return 2 # CURLE_FILE_COULDNT_READ_FILE
  [[ "$rc" -eq 0 ]] || return 1
  case "$code" in
    200 | 000) return 0 ;; # 000: file:// URLs (mirrors, tests) have no HTTP status
    404) return 2 ;;
    *)
      log "GET $1 answered HTTP $code"
      return 1
      ;;
  esac
}

install_from_release() {
  local target="$1" version="$2" dir="$3" ext asset base tmp expected actual rc=0
  ext=tar.gz
  [[ "$target" == *windows* ]] && ext=zip
  asset="infra-ci-$target.$ext"
  base="${INFRA_CI_RELEASE_URL:-$SERVER_URL/$REPOSITORY/releases/download}/$version"
  tmp="$(mktemp -d)"
  log "downloading $base/$asset"
  fetch "$base/$asset" "$tmp/$asset" || rc=$?
  [[ "$rc" -eq 0 ]] || return "$rc"
  fetch "$base/$asset.sha256" "$tmp/$asset.sha256" ||
    die "$asset has no $asset.sha256 beside it in release $version: refusing an unverified binary"
  expected="$(tr -d '\r' <"$tmp/$asset.sha256" | cut -d ' ' -f 1)"
  actual="$(sha256_of "$tmp/$asset")"
  [[ "$expected" =~ ^[0-9a-f]{64}$ ]] || die "$asset.sha256 holds no SHA-256 digest"
  [[ "$expected" == "$actual" ]] ||
    die "checksum mismatch for $asset: expected $expected, got $actual (corrupt download or tampered release)"
  log "sha256 verified: $actual"
  local commit
  commit="$(pinned_commit)"
  if [[ -n "$commit" ]]; then
    if attested "$tmp/$asset" "$commit"; then
      log "provenance verified: built by release.yml from $commit"
    else
      log "the release asset is not attested as built from $commit"
      rm -rf "$tmp"
      return 2
    fi
  fi
  mkdir -p "$dir"
  if [[ "$ext" == zip ]]; then
    if command -v unzip >/dev/null 2>&1; then
      unzip -o -q "$tmp/$asset" -d "$dir"
    else
      7z x -y "-o$dir" "$tmp/$asset" >/dev/null
    fi
  else
    tar -xzf "$tmp/$asset" -C "$dir"
  fi
  rm -rf "$tmp"
}

install_with_cargo() {
  local version="$1" dir="$2"
  command -v cargo >/dev/null 2>&1 ||
    die "cannot install a verified release asset of $version here and cargo is not installed to build it"
  # --root puts the binary in <root>/bin; dir is that bin directory.
  if [[ -n "${INFRA_CI_ACTION_PATH:-}" && -f "$INFRA_CI_ACTION_PATH/crates/cli/Cargo.toml" ]]; then
    log "building infra-ci from the action's own checkout with cargo"
    cargo install --locked --path "$INFRA_CI_ACTION_PATH/crates/cli" --root "$(dirname "$dir")"
  else
    log "no release asset for this platform: building $version from source with cargo"
    cargo install --locked --git "$SERVER_URL/$REPOSITORY" --tag "$version" \
      --root "$(dirname "$dir")" infra-ci
  fi
}

# The commit the action is pinned to, when it is pinned by SHA and no version was asked for.
pinned_commit() {
  if [[ -z "${INFRA_CI_VERSION:-}" && "${INFRA_CI_ACTION_REF:-}" =~ ^[0-9a-f]{40}$ ]]; then
    echo "$INFRA_CI_ACTION_REF"
  fi
}

# Exit 0 when `gh` verifies that asset $1 was built by release.yml from commit $2.
attested() {
  command -v gh >/dev/null 2>&1 || {
    log "gh is not installed: cannot verify the release asset's provenance"
    return 1
  }
  GH_TOKEN="${INFRA_CI_TOKEN:-${GH_TOKEN:-}}" gh attestation verify "$1" \
    --repo "$REPOSITORY" \
    --source-digest "$2" \
    --signer-workflow "$REPOSITORY/.github/workflows/release.yml" >&2
}

main() {
  local target version dir exe rc=0
  target="$(detect_target)"
  version="$(resolve_version)"
  dir="${INFRA_CI_INSTALL_DIR:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/infra-ci/bin}"
  exe=infra-ci
  [[ "$target" == *windows* ]] && exe=infra-ci.exe

  if [[ "$target" == unsupported:* ]]; then
    rc=2
  else
    install_from_release "$target" "$version" "$dir" || rc=$?
  fi
  case "$rc" in
    0) ;;
    2) install_with_cargo "$version" "$dir" ;;
    *) die "downloading infra-ci $version for $target failed" ;;
  esac

  [[ -x "$dir/$exe" ]] || die "$dir/$exe is missing after install"
  log "installed $("$dir/$exe" --version 2>/dev/null || echo "infra-ci $version") at $dir/$exe"
  if [[ -n "${GITHUB_PATH:-}" ]]; then echo "$dir" >>"$GITHUB_PATH"; fi
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    {
      echo "path=$dir/$exe"
      echo "dir=$dir"
      echo "version=$version"
    } >>"$GITHUB_OUTPUT"
  fi
}

main "$@"
