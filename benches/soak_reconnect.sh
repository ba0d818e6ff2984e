#!/usr/bin/env bash
# Soak: the terminal app left running against the local chain while the chain is stopped and started again.
# Run by hand (not in CI): needs tmux, node and tests/chain/node_modules; takes MINUTES minutes (default 30).
#
#   benches/soak_reconnect.sh [MINUTES] [RESTART_EVERY_SECONDS] [DOWN_SECONDS]
#
# The app shows the portfolio of //Alice (a watch-only wallet), which follows new blocks; the script makes a block
# every BLOCK_SECONDS (default 12, like finney) with chopsticks' dev_newBlock. Every RESTART_EVERY_SECONDS (default
# 240) the chain is stopped, left down DOWN_SECONDS (default 20), and started again on the same port (a fresh chain from
# the same spec, so the same genesis). Once a minute it records the app's resident memory and the status line; after
# each restart it measures how long until the status line says "connected" again and until the data shown is fresh
# (read within the last 15 s). At the end it prints the figures (for the README) and exits non-zero if the app died,
# did not reconnect or refresh within 120 s after a restart, or its memory grew by more than 25 % from the first
# sample after warm-up.
set -euo pipefail

MINUTES=${1:-30}
RESTART_EVERY=${2:-240}
DOWN=${3:-20}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${TAOTUI_BIN:-$ROOT/target/release/taotui}
[ -x "$BIN" ] || BIN=$ROOT/target/debug/taotui
PORT=${TAOTUI_CHAIN_PORT:-39944}
BLOCK_SECONDS=${BLOCK_SECONDS:-12}
ALICE=5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY
WORK=$(mktemp -d)
SESSION=taotui-soak-$$
CHAIN_PID=

start_chain() {
  TAOTUI_CHAIN_PORT=$PORT node "$ROOT/tests/chain/start.mjs" --ignore-stdin >"$WORK/chain.out" 2>>"$WORK/chain.err" &
  CHAIN_PID=$!
  for _ in $(seq 1 300); do
    grep -q TAOTUI_CHAIN_READY "$WORK/chain.out" 2>/dev/null && return 0
    sleep 1
  done
  echo "the chain did not start; see $WORK/chain.err" >&2
  return 1
}

stop_chain() {
  if [ -n "$CHAIN_PID" ]; then
    kill "$CHAIN_PID" 2>/dev/null || true
    wait "$CHAIN_PID" 2>/dev/null || true
    CHAIN_PID=
  fi
}

BLOCKS_PID=
make_blocks() {
  while true; do
    sleep "$BLOCK_SECONDS"
    curl -s -m 5 -X POST -H 'content-type: application/json' \
      -d '{"jsonrpc":"2.0","id":1,"method":"dev_newBlock","params":[]}' "http://127.0.0.1:$PORT" >/dev/null 2>&1 || true
  done
}

cleanup() {
  tmux kill-session -t "$SESSION" 2>/dev/null || true
  [ -n "$BLOCKS_PID" ] && kill "$BLOCKS_PID" 2>/dev/null || true
  stop_chain
}
trap cleanup EXIT

app_pid() { tmux list-panes -t "$SESSION" -F '#{pane_pid}' 2>/dev/null | head -1; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
status_line() { tmux capture-pane -p -t "$SESSION" 2>/dev/null | grep -v '^\s*$' | tail -1; }

# Data shown is fresh when the status line says it was read within the last 15 s.
fresh() { status_line | grep -qE 'data ([0-9]|1[0-5]) s old'; }

"$BIN" wallet regen-coldkey -w soak --watch-only "$ALICE" --wallet-path "$WORK/wallets" >/dev/null
start_chain
make_blocks &
BLOCKS_PID=$!
tmux new-session -d -s "$SESSION" -x 160 -y 45 \
  "env XDG_CACHE_HOME=$WORK/cache TAOTUI_DATA_DIR=$WORK/data XDG_CONFIG_HOME=$WORK/config $BIN --network ws://127.0.0.1:$PORT --wallet-path $WORK/wallets"
tmux send-keys -t "$SESSION" 2
sleep 10
PID=$(app_pid)
echo "soak: app pid $PID, chain on port $PORT, $MINUTES min, restart every $RESTART_EVERY s (down $DOWN s)"

END=$(( $(date +%s) + MINUTES * 60 ))
NEXT_RESTART=$(( $(date +%s) + RESTART_EVERY ))
NEXT_SAMPLE=$(date +%s)
FIRST_RSS=
MAX_RSS=0
RESTARTS=0
WORST_RECONNECT=0
WORST_FRESH=0
FAILED=0
while [ "$(date +%s)" -lt "$END" ]; do
  NOW=$(date +%s)
  if ! kill -0 "$PID" 2>/dev/null; then echo "soak: the app exited"; FAILED=1; break; fi
  if [ "$NOW" -ge "$NEXT_SAMPLE" ]; then
    RSS=$(rss_kib "$PID")
    [ -z "$FIRST_RSS" ] && [ "$NOW" -gt $(( END - MINUTES * 60 + 60 )) ] && FIRST_RSS=$RSS
    [ "$RSS" -gt "$MAX_RSS" ] && MAX_RSS=$RSS
    echo "soak: $(date -u +%T) rss ${RSS} KiB | $(status_line)"
    NEXT_SAMPLE=$(( NOW + 60 ))
  fi
  if [ "$NOW" -ge "$NEXT_RESTART" ]; then
    stop_chain
    sleep "$DOWN"
    start_chain
    UP=$(date +%s)
    RESTARTS=$(( RESTARTS + 1 ))
    until tmux capture-pane -p -t "$SESSION" | grep -qi 'connected' && ! tmux capture-pane -p -t "$SESSION" | grep -qiE 'reconnecting|offline'; do
      if [ $(( $(date +%s) - UP )) -gt 120 ]; then echo "soak: no reconnect within 120 s after restart $RESTARTS"; FAILED=1; break; fi
      sleep 1
    done
    TOOK=$(( $(date +%s) - UP ))
    [ "$TOOK" -gt "$WORST_RECONNECT" ] && WORST_RECONNECT=$TOOK
    until fresh; do
      if [ $(( $(date +%s) - UP )) -gt 120 ]; then echo "soak: data not fresh within 120 s after restart $RESTARTS: $(status_line)"; FAILED=1; break; fi
      sleep 1
    done
    FRESH=$(( $(date +%s) - UP ))
    [ "$FRESH" -gt "$WORST_FRESH" ] && WORST_FRESH=$FRESH
    echo "soak: restart $RESTARTS: connected again $TOOK s and data fresh $FRESH s after the chain was back | $(status_line)"
    NEXT_RESTART=$(( $(date +%s) + RESTART_EVERY ))
  fi
  sleep 2
done
LAST_RSS=$(rss_kib "$PID")
echo "soak: restarts $RESTARTS, worst reconnect ${WORST_RECONNECT} s, worst fresh data ${WORST_FRESH} s, rss first ${FIRST_RSS:-?} KiB, last ${LAST_RSS} KiB, max ${MAX_RSS} KiB"
tmux send-keys -t "$SESSION" q
for _ in $(seq 1 30); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$PID" 2>/dev/null; then
  echo "soak: the app did not quit within 3 s of q: $(tmux capture-pane -p -t "$SESSION" | grep -v '^\s*$' | tail -5)"
  FAILED=1
fi
if [ -n "$FIRST_RSS" ] && [ "$LAST_RSS" -gt $(( FIRST_RSS * 125 / 100 )) ]; then echo "soak: memory grew more than 25 %"; FAILED=1; fi
exit "$FAILED"
