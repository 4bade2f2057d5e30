#!/usr/bin/env bash
# The browser test: installs Chromium (and a colour emoji font, so screenshots show the
# status emoji) from Debian's packages when missing, then runs the headless-browser test of
# the demo's pull request page, which must not skip here. The rendered-HTML tests run with
# the rest of the workspace's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== the demo's pull request page in headless Chromium"

if ! command -v chromium >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends chromium fonts-noto-color-emoji fonts-dejavu-core >/dev/null
fi
chromium --version

# Same selection of packages as the workspace's test run, so nothing is rebuilt.
INFRA_CI_BROWSER_REQUIRED=1 cargo test --workspace --locked --test it -- browser:: --nocapture
