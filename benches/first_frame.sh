#!/usr/bin/env bash
# Time from launching the real (release) `taotui` binary to its first frame, with 20 wallets on disk
# and no chain (the network URL points at a closed port, so the app starts offline).
#
# Each run starts the binary in a fresh pseudo-terminal (120x40) and reads what it writes:
#   first frame   the first complete frame (the tab bar and the status bar are on screen);
#   wallets shown the first frame that shows a scanned wallet (20 wallets make the Portfolio the
#                 home screen, so its "Coldkey" line appears);
#   RSS at rest   resident memory one second after the wallets are shown, idle.
# Times are from just before fork/exec, so they include process start and dynamic loading.
#
# Usage: benches/first_frame.sh                 (RUNS=N runs, default 15; BIN=path to time another
#                                                build; ANSWER_DSR=0 plays a terminal that never answers a
#                                                cursor-position query; STRACE=1 adds an `strace -c -f`
#                                                summary of one run)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${BIN:-}" ]; then
  cargo build --release --bin taotui >&2
  BIN=target/release/taotui
fi
RUNS=${RUNS:-15}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The wallets are kept between runs (writing them costs ~40 s of key derivation); delete the folder to redo them.
wallets=${WALLETS:-target/first_frame_wallets}
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_CACHE_HOME="$work/cache"
export TAOTUI_NETWORK= TAOTUI_THEME=
printf 'bench password: violet tractor ninety lantern\n' > "$work/password"

# 20 wallets as a nominator might have them: an encrypted coldkey (half taotui's format, half
# btcli's $NACL) and an unencrypted hotkey each. Dev URIs: nothing here is a real secret.
if [ "$(ls "$wallets" 2>/dev/null | wc -l)" -ne 20 ]; then
  echo "writing 20 wallets under $wallets (key derivation takes a while)..." >&2
  rm -rf "$wallets"
  for i in $(seq -w 0 19); do
    fmt=native
    [ $((10#$i % 2)) -eq 1 ] && fmt=btcli
    printf '%s\n' "//Bench//$i" | "$BIN" wallet regen-coldkey --wallet-path "$wallets" \
      -w "wallet$i" --secret-file - --format "$fmt" --password-file "$work/password" -y >/dev/null 2>&1
    printf '%s\n' "//Bench//$i//hot" | "$BIN" wallet regen-hotkey --wallet-path "$wallets" \
      -w "wallet$i" --hotkey default --secret-file - -y >/dev/null 2>&1
  done
fi
[ "$(ls "$wallets" | wc -l)" -eq 20 ] || { echo "expected 20 wallets under $wallets" >&2; exit 1; }

python3 - "$BIN" "$wallets" "$RUNS" <<'PY'
import fcntl, os, pty, select, signal, statistics, struct, sys, termios, time

bin_path, wallets, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
argv = [bin_path, "--wallet-path", wallets, "--network", "ws://127.0.0.1:9"]

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

dsr = [0]
answer_dsr = os.environ.get("ANSWER_DSR", "1") != "0"

def one_run():
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    out = b""
    first = shown = None
    deadline = start + 10
    while shown is None and time.perf_counter() < deadline:
        r, _, _ = select.select([fd], [], [], 0.05)
        if not r:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        now = time.perf_counter()
        out += chunk
        # Answer a cursor-position query at once, as a fast terminal would (a slow or silent one
        # delays the first frame by its answer, up to crossterm's 2 s timeout); counted below.
        if b"\x1b[6n" in chunk:
            dsr[0] += chunk.count(b"\x1b[6n")
            if answer_dsr:
                os.write(fd, b"\x1b[1;1R")
        if first is None and b"Wallets" in out and b"Portfolio" in out and b"History" in out:
            first = now - start
        if b"Coldkey" in out:
            shown = now - start
    if shown is None:
        os.kill(pid, signal.SIGKILL)
        raise SystemExit(f"no wallet frame within 10 s; output tail: {out[-400:]!r}")
    # Idle for a second, then read resident memory.
    end = time.perf_counter() + 1.0
    while time.perf_counter() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                os.read(fd, 65536)
            except OSError:
                break
    rss = rss_kib(pid)
    os.write(fd, b"q")
    deadline = time.perf_counter() + 5
    while time.perf_counter() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                os.read(fd, 65536)
            except OSError:
                pass
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise SystemExit("the app did not quit on q within 5 s")
    os.close(fd)
    return first, shown, rss

one_run()  # warm the page cache; not counted
results = [one_run() for _ in range(runs)]
ms = lambda xs: f"median {statistics.median(xs)*1000:.1f} ms (min {min(xs)*1000:.1f}, max {max(xs)*1000:.1f})"
firsts = [r[0] for r in results]
shown = [r[1] for r in results]
rss = [r[2] for r in results]
print(f"binary: {bin_path}; {runs} runs, 120x40, 20 wallets, offline")
print(f"first frame:   {ms(firsts)}")
print(f"wallets shown: {ms(shown)}")
print(f"cursor-position queries before quitting: {dsr[0] / (runs + 1):.1f} per run")
print(f"RSS at rest:   median {statistics.median(rss)/1024:.1f} MiB (min {min(rss)/1024:.1f}, max {max(rss)/1024:.1f})")
PY

if [ "${STRACE:-0}" = 1 ]; then
  if command -v strace >/dev/null; then
    echo "strace -c -f of one run (quits after 1 s):" >&2
    python3 - "$BIN" "$wallets" <<'PY'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp("strace", ["strace", "-c", "-f", "-o", "/dev/stderr", sys.argv[1], "--wallet-path", sys.argv[2], "--network", "ws://127.0.0.1:9"])
end = time.time() + 1.5
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.05)
    if r:
        try: os.read(fd, 65536)
        except OSError: break
os.write(fd, b"q")
out = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace").split("% time")[-1] if b"% time" in out else "")
PY
  fi
fi
