#!/usr/bin/env bash
# Compares taotui's `$NACL` unlock with libsodium's Argon2i for the same parameters
# (t = 8, m = 512 MiB, p = 1, 32-byte key: what btcli uses). Target: ours within 1.2x.
#
# Usage: benches/nacl_vs_libsodium.sh            (from anywhere inside the repo)
# Needs python3 with PyNaCl (installed with pip if missing) and cargo.
# RUNS=N sets how many libsodium runs are timed before and again after ours (default 5 each);
# MANIFEST=path/Cargo.toml benches another checkout; CARGO_TARGET_DIR is honoured. Run it on an
# idle machine: both sides are single-threaded and memory-bound, so other load skews the ratio
# (the load average is printed with each figure). Both figures are medians.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${RUNS:-5}"
MANIFEST="${MANIFEST:-$ROOT/Cargo.toml}"

if ! python3 -c 'import nacl.pwhash' 2>/dev/null; then
    echo "PyNaCl not found; installing it with pip..." >&2
    python3 -m pip install --quiet pynacl
fi

load() { cut -d' ' -f1-3 /proc/loadavg; }

# Prints one libsodium time (seconds) per line.
time_libsodium() {
    python3 - "$RUNS" <<'EOF'
import sys, time
import nacl.pwhash
salt = bytes.fromhex("137183dff15a09bc9c90b5518739e9b1")
for _ in range(int(sys.argv[1])):
    start = time.perf_counter()
    nacl.pwhash.argon2i.kdf(32, b"benchmark password", salt, opslimit=8, memlimit=512 * 1024 * 1024)
    print(f"{time.perf_counter() - start:.4f}")
EOF
}

SODIUM_TIMES="$(mktemp)"
BENCH_OUT="$(mktemp)"
trap 'rm -f "$SODIUM_TIMES" "$BENCH_OUT"' EXIT

echo "== libsodium (PyNaCl) argon2i t=8 m=512MiB p=1, ${RUNS} runs (load $(load))"
time_libsodium | tee -a "$SODIUM_TIMES"

echo "== taotui \$NACL unlock (criterion, optimised build; load $(load))"
cargo bench --manifest-path "$MANIFEST" -p taotui-keystore --bench unlock -- nacl | tee "$BENCH_OUT"

# Timed again afterwards so that a change of load during the run weighs on both sides.
echo "== libsodium again, ${RUNS} runs (load $(load))"
time_libsodium | tee -a "$SODIUM_TIMES"
LIBSODIUM_S="$(python3 -c 'import statistics, sys; print(f"{statistics.median(float(l) for l in open(sys.argv[1])):.4f}")' "$SODIUM_TIMES")"
echo "libsodium median: ${LIBSODIUM_S} s"

# criterion's median from its estimates file; its printed [low mid high] line as a fallback.
TARGET_DIR="${CARGO_TARGET_DIR:-$(cargo metadata --manifest-path "$MANIFEST" --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')}"
OURS_S="$(python3 - "$BENCH_OUT" "$TARGET_DIR/criterion/unlock/nacl/new/estimates.json" <<'EOF'
import json, re, sys
try:
    with open(sys.argv[2]) as f:
        print(f"{json.load(f)['median']['point_estimate'] / 1e9:.4f}")
    sys.exit(0)
except (OSError, KeyError, ValueError):
    pass
text = open(sys.argv[1]).read()
m = re.search(r"unlock/nacl\s+time:\s+\[\S+ \S+ (\S+) (\S+) ", text)
if not m:
    sys.exit("could not find the unlock/nacl estimate in the criterion output")
scale = {"s": 1.0, "ms": 1e-3, "µs": 1e-6, "us": 1e-6, "ns": 1e-9}[m.group(2)]
print(f"{float(m.group(1)) * scale:.4f}")
EOF
)"

python3 - "$OURS_S" "$LIBSODIUM_S" <<'EOF'
import sys
ours, sodium = float(sys.argv[1]), float(sys.argv[2])
ratio = ours / sodium
load = open("/proc/loadavg").read().split()[0]
print(f"taotui $NACL unlock: {ours:.3f} s   libsodium argon2i: {sodium:.3f} s   ratio: {ratio:.2f}x "
      f"({'within' if ratio <= 1.2 else 'ABOVE'} the 1.2x target; load now {load})")
EOF
