#!/usr/bin/env bash
# Compares taotui's `$NACL` unlock with libsodium's Argon2i for the same parameters
# (t = 8, m = 512 MiB, p = 1, 32-byte key: what btcli uses). Target: ours within 1.2x.
#
# Usage: benches/nacl_vs_libsodium.sh            (from anywhere inside the repo)
# Needs python3 with PyNaCl (installed with pip if missing) and cargo.
# RUNS=N sets how many libsodium runs are timed (default 5); MANIFEST=path/Cargo.toml benches
# another checkout. Run it on an idle machine:
# both sides are single-threaded and memory-bound, so other load skews the ratio.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${RUNS:-5}"
MANIFEST="${MANIFEST:-$ROOT/Cargo.toml}"

if ! python3 -c 'import nacl.pwhash' 2>/dev/null; then
    echo "PyNaCl not found; installing it with pip..." >&2
    python3 -m pip install --quiet pynacl
fi

echo "== libsodium (PyNaCl) argon2i t=8 m=512MiB p=1, ${RUNS} runs"
LIBSODIUM_S="$(python3 - "$RUNS" <<'EOF'
import statistics, sys, time
import nacl.pwhash
salt = bytes.fromhex("137183dff15a09bc9c90b5518739e9b1")
times = []
for _ in range(int(sys.argv[1])):
    start = time.perf_counter()
    nacl.pwhash.argon2i.kdf(32, b"benchmark password", salt, opslimit=8, memlimit=512 * 1024 * 1024)
    times.append(time.perf_counter() - start)
print(f"{statistics.median(times):.4f}")
EOF
)"
echo "libsodium median: ${LIBSODIUM_S} s"

echo "== taotui \$NACL unlock (criterion, optimised build)"
BENCH_OUT="$(mktemp)"
trap 'rm -f "$BENCH_OUT"' EXIT
cargo bench --manifest-path "$MANIFEST" -p taotui-keystore --bench unlock -- nacl | tee "$BENCH_OUT"

# criterion prints: unlock/nacl  time:   [low unit mid unit high unit]
OURS_S="$(python3 - "$BENCH_OUT" <<'EOF'
import re, sys
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
print(f"taotui $NACL unlock: {ours:.3f} s   libsodium argon2i: {sodium:.3f} s   ratio: {ratio:.2f}x "
      f"({'within' if ratio <= 1.2 else 'ABOVE'} the 1.2x target)")
EOF
