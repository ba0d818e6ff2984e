#!/usr/bin/env bash
# Wall time and peak RSS of `taotui stake list` against a fresh local spec-293 chain with the seeded
# nominator world (9 positions on root and three subnets), and of btcli on the same chain when
# TAOTUI_BTCLI names a btcli executable (e.g. from `python3 -m venv /tmp/btcli && /tmp/btcli/bin/pip
# install bittensor-cli`; btcli 9.x cannot run `stake list` on spec 293, so `wallet balance` is
# measured too).
#
# Usage: benches/stake_list.sh            (BENCH_RUNS=N for more runs; debug build, like the tests)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
cargo test --test chain_read -- --ignored --exact bench_stake_list --nocapture 2>&1 | grep -E '^(BENCH|SKIPPED)|panicked'
