#!/usr/bin/env bash
# Runs every test of the workspace on a fresh machine: installs the Node packages the interop and
# local-chain tests use (pinned by their lockfiles), then `cargo test`. Chain tests read the dev
# chain spec from $TAOTUI_CHAIN_SPEC (default ../shared/chain/...); without it they report SKIPPED,
# except under CI=true where a missing chain fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "node/npm not found; installing Debian's nodejs and npm" >&2
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi

# libsodium (for btcli's `$NACL` key files) is built from the source bundled in libsodium-sys-stable
# with ./configure and make.
if ! command -v cc >/dev/null 2>&1 || ! command -v make >/dev/null 2>&1; then
  echo "a C compiler or make not found; installing Debian's build-essential" >&2
  apt-get update -qq && apt-get install -y -qq build-essential >/dev/null
fi

# The terminal app's end-to-end test drives the real binary inside tmux.
if ! command -v tmux >/dev/null 2>&1; then
  echo "tmux not found; installing Debian's tmux" >&2
  apt-get update -qq && apt-get install -y -qq tmux >/dev/null
fi

for dir in tests/interop tests/chain; do
  if [ -f "$dir/package-lock.json" ]; then
    stamp="$dir/node_modules/.taotui-lock-sha256"
    want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
      npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
      echo "$want" > "$stamp"
    fi
  fi
done

cargo test --workspace "$@"
