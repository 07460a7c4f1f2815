#!/usr/bin/env bash
# Short, bounded fuzzing of every secpack-verify target (zip reader, tar.gz reader, whole
# verifier): FUZZ_SECONDS per target (default 30). Installs cargo-fuzz for the nightly
# toolchain when it is missing, and seeds each corpus with small real packages made by the
# `make-package` example. Exits non-zero when a target crashes, hangs or runs out of memory.
#
#   scripts/fuzz-smoke.sh            # every target, 30 s each
#   FUZZ_SECONDS=300 scripts/fuzz-smoke.sh verify
#
# Longer runs: see docs/verifying.md ("For maintainers: fuzzing the verifier").
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${FUZZ_SECONDS:-30}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(zip_reader targz_reader verify)
fi

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz-smoke: installing cargo-fuzz for the nightly toolchain"
    cargo +nightly install --locked cargo-fuzz
fi

corpus="$root/fuzz/corpus"
seeds="$corpus/.seeds"
if [ ! -d "$seeds" ]; then
    echo "fuzz-smoke: writing seed packages"
    (cd "$root" && cargo run --quiet -p secpack-verify --example make-package -- "$seeds" --mib 0 >/dev/null)
fi
mkdir -p "$corpus/zip_reader" "$corpus/targz_reader" "$corpus/verify" "$root/fuzz/artifacts"
cp -f "$seeds"/*.zip "$corpus/zip_reader/"
cp -f "$seeds"/*.tar.gz "$corpus/targz_reader/"

# The verify target reads a bundle and a provenance file, each behind a little-endian u16
# length, then the archive.
u16le() {
    printf "\\x$(printf %02x $(($1 & 255)))\\x$(printf %02x $(($1 >> 8)))"
}
prov="$seeds/customer-security-package-v1.2.3.intoto.jsonl"
for archive in "$seeds"/*.zip "$seeds"/*.tar.gz; do
    bundle="$archive.sigstore.json"
    {
        u16le "$(stat -c %s "$bundle")"
        cat "$bundle"
        u16le "$(stat -c %s "$prov")"
        cat "$prov"
        cat "$archive"
    } >"$corpus/verify/$(basename "$archive").seed"
done

cd "$root/fuzz"
failed=()
for target in "${targets[@]}"; do
    echo "fuzz-smoke: $target for ${seconds}s"
    log="$root/fuzz/artifacts/$target.log"
    set +e
    cargo +nightly fuzz run "$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=1048576 \
        -print_final_stats=1 >"$log" 2>&1
    status=$?
    set -e
    grep -E '^(Done [0-9]+ runs|stat::peak_rss_mb|stat::slowest_unit_time_sec)|^==[0-9]+== ERROR|^SUMMARY' "$log" || true
    if [ "$status" -ne 0 ]; then
        failed+=("$target")
    fi
done
if [ ${#failed[@]} -ne 0 ]; then
    echo "fuzz-smoke: FAILED: ${failed[*]} (inputs in fuzz/artifacts/<target>/, logs in fuzz/artifacts/<target>.log)"
    exit 1
fi
echo "fuzz-smoke: every target ran ${seconds}s without a crash"
