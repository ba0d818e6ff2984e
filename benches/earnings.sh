#!/usr/bin/env bash
# Requests and wall time of `earnings::compute` over 30 sampled blocks for 10 positions, on a fresh local spec-293
# chain with the seeded world: a fresh nominator stakes on 10 (hotkey, netuid) pairs in one batch, 30 blocks
# (epochs) pass, it stakes once more, 30 more blocks pass; then the earnings since its funding are computed twice
# (the second look reads the on-disk cache).
#
# Usage: benches/earnings.sh   (debug build, like the tests)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --test earnings_chain -- --ignored --exact bench_earnings_30_samples_10_positions --nocapture 2>&1 \
  | grep -E '^(BENCH|SKIPPED)|panicked'
