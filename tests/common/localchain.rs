//! A fresh local Subtensor chain per test: `node tests/chain/start.mjs` (chopsticks running the real runtime wasm).
//!
//! When the chain cannot run here (no chain spec, no `node`, no `npm ci` done) tests are skipped with the reason and
//! how to enable them, except under CI (`CI=true`), where a missing chain must fail the build rather than pass quietly.

use std::collections::VecDeque;
use std::env;
use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

const READY_PREFIX: &str = "TAOTUI_CHAIN_READY ";
const DEFAULT_SPEC: &str = "../shared/chain/subtensor-aura-dev-spec293.chainspec.json";
/// Generous because the chain shares two cores with parallel test binaries; a quiet machine needs ~4 s.
const DEFAULT_START_TIMEOUT: Duration = Duration::from_secs(180);
/// Enough of the node's output to explain a failed start without flooding the test log.
const LOG_TAIL_LINES: usize = 200;

/// Why no chain was started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartError {
    /// Something the chain needs is not installed here; the text says what and how to enable it.
    Unavailable(String),
    /// Everything was there but the chain did not come up.
    Failed(String),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Unavailable(reason) => write!(f, "local chain unavailable: {reason}"),
            StartError::Failed(reason) => write!(f, "local chain failed to start: {reason}"),
        }
    }
}

impl std::error::Error for StartError {}

/// What the harness found on this machine, before starting anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    pub node: PathBuf,
    pub script: PathBuf,
    pub spec: PathBuf,
}

/// A running chain; stopped (killed) when dropped.
pub struct LocalChain {
    child: Child,
    // Held only so the pipe stays open: start.mjs exits when it closes, which also covers this process dying.
    _stdin: Option<ChildStdin>,
    ws_url: String,
    logs: Arc<Mutex<VecDeque<String>>>,
}

impl fmt::Debug for LocalChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalChain")
            .field("pid", &self.child.id())
            .field("ws_url", &self.ws_url)
            .finish()
    }
}

impl LocalChain {
    /// Starts a fresh chain on a free port and waits until it serves RPC.
    pub fn start() -> Result<LocalChain, StartError> {
        let setup = locate()?;
        Self::start_with(&setup, start_timeout())
    }

    /// Like [`LocalChain::start`], but returns `None` after reporting a skip when the chain is unavailable here.
    /// Under CI an unavailable chain is an error, as is any failure to start.
    pub fn start_or_skip() -> Result<Option<LocalChain>, StartError> {
        match Self::start() {
            Ok(chain) => Ok(Some(chain)),
            Err(StartError::Unavailable(reason)) if !running_in_ci() => {
                report_skip(&current_test_name(), &reason);
                Ok(None)
            }
            Err(StartError::Unavailable(reason)) => Err(StartError::Unavailable(format!(
                "{reason} (CI=true, so a missing chain fails the tests instead of skipping them)"
            ))),
            Err(err) => Err(err),
        }
    }

    pub fn start_with(setup: &Setup, timeout: Duration) -> Result<LocalChain, StartError> {
        let mut child = Command::new(&setup.node)
            .arg(&setup.script)
            .env("TAOTUI_CHAIN_SPEC", &setup.spec)
            .current_dir(repo_root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                StartError::Failed(format!("could not run {}: {e}", setup.node.display()))
            })?;
        let logs = Arc::new(Mutex::new(VecDeque::new()));
        let stdin = child.stdin.take();
        let (ready_tx, ready_rx) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            drain_stdout(stdout, Arc::clone(&logs), ready_tx);
        }
        if let Some(stderr) = child.stderr.take() {
            drain_lines(stderr, Arc::clone(&logs));
        }
        let mut chain = LocalChain {
            child,
            _stdin: stdin,
            ws_url: String::new(),
            logs,
        };
        let started = Instant::now();
        match ready_rx.recv_timeout(timeout) {
            Ok(url) => {
                chain.ws_url = url;
                Ok(chain)
            }
            Err(mpsc::RecvTimeoutError::Timeout) => Err(StartError::Failed(format!(
                "no ready line from start.mjs within {} s (raise TAOTUI_CHAIN_START_TIMEOUT if the machine is busy); \
                 its output:\n{}",
                timeout.as_secs(),
                chain.log_tail()
            ))),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                // stdout closed without a ready line: the script exited; give stderr a moment to be drained.
                let status = chain.child.wait().ok();
                thread::sleep(Duration::from_millis(100));
                Err(StartError::Failed(format!(
                    "start.mjs exited after {} ms ({}); its output:\n{}",
                    started.elapsed().as_millis(),
                    status.map_or_else(|| "unknown status".to_owned(), |s| s.to_string()),
                    chain.log_tail()
                )))
            }
        }
    }

    /// The chain's WebSocket RPC endpoint, e.g. `ws://127.0.0.1:40123`.
    pub fn ws_url(&self) -> &str {
        &self.ws_url
    }

    /// The same endpoint over HTTP (chopsticks serves JSON-RPC POSTs on the same port).
    pub fn http_url(&self) -> String {
        self.ws_url.replacen("ws://", "http://", 1)
    }

    /// The node's recent log lines, for assertion messages.
    pub fn log_tail(&self) -> String {
        self.logs
            .lock()
            .map(|lines| lines.iter().cloned().collect::<Vec<_>>().join("\n"))
            .unwrap_or_default()
    }
}

impl Drop for LocalChain {
    fn drop(&mut self) {
        // The chain lives only in memory, so killing it loses nothing and is faster than asking politely.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Finds node, the installed chopsticks and the chain spec, or says which is missing and how to provide it.
pub fn locate() -> Result<Setup, StartError> {
    let root = repo_root();
    let spec = spec_path(&root);
    if !spec.is_file() {
        return Err(StartError::Unavailable(format!(
            "chain spec not found at {}; set TAOTUI_CHAIN_SPEC to a Subtensor chain spec \
             (e.g. subtensor-aura-dev-spec293.chainspec.json)",
            spec.display()
        )));
    }
    let node = find_node()?;
    let chain_dir = root.join("tests").join("chain");
    let chopsticks = chain_dir
        .join("node_modules")
        .join("@acala-network")
        .join("chopsticks")
        .join("package.json");
    if !chopsticks.is_file() {
        return Err(StartError::Unavailable(format!(
            "chopsticks is not installed in {}; run `npm ci --prefix tests/chain` in the repository",
            chain_dir.join("node_modules").display()
        )));
    }
    Ok(Setup {
        node,
        script: chain_dir.join("start.mjs"),
        spec,
    })
}

/// Prints a skip notice that shows even for passing tests: libtest captures `print!`/`eprint!` output,
/// but not direct writes to the stderr handle.
pub fn report_skip(test_name: &str, reason: &str) {
    let _ = writeln!(std::io::stderr(), "SKIPPED: {test_name}: {reason}");
}

/// libtest runs each test on a thread named after it.
fn current_test_name() -> String {
    thread::current().name().unwrap_or("test").to_owned()
}

pub fn running_in_ci() -> bool {
    env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `TAOTUI_CHAIN_SPEC`, or the shared dev spec; relative paths are taken from the repository root, not the cwd.
fn spec_path(root: &Path) -> PathBuf {
    let configured = env::var_os("TAOTUI_CHAIN_SPEC").filter(|v| !v.is_empty());
    let path = configured.map_or_else(|| PathBuf::from(DEFAULT_SPEC), PathBuf::from);
    if path.is_absolute() {
        path
    } else {
        root.join(path)
    }
}

fn find_node() -> Result<PathBuf, StartError> {
    if let Some(path) = env::var_os("TAOTUI_NODE").filter(|v| !v.is_empty()) {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(StartError::Unavailable(format!(
                "TAOTUI_NODE is {}, which is not a file; point it at a Node.js 20+ `node` binary",
                path.display()
            )))
        };
    }
    env::var_os("PATH")
        .and_then(|paths| {
            env::split_paths(&paths)
                .map(|dir| dir.join("node"))
                .find(|candidate| candidate.is_file())
        })
        .ok_or_else(|| {
            StartError::Unavailable(
                "`node` (Node.js 20 or newer) is not on PATH; install it or set TAOTUI_NODE to its path"
                    .to_owned(),
            )
        })
}

fn start_timeout() -> Duration {
    env::var("TAOTUI_CHAIN_START_TIMEOUT")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(DEFAULT_START_TIMEOUT, Duration::from_secs)
}

fn push_log(logs: &Mutex<VecDeque<String>>, line: String) {
    if let Ok(mut lines) = logs.lock() {
        if lines.len() == LOG_TAIL_LINES {
            lines.pop_front();
        }
        lines.push_back(line);
    }
}

/// Reads stdout for the ready line, then keeps draining it (chopsticks' own logger writes there) so the
/// node never blocks on a full pipe.
fn drain_stdout(
    stdout: impl Read + Send + 'static,
    logs: Arc<Mutex<VecDeque<String>>>,
    ready: mpsc::Sender<String>,
) {
    thread::spawn(move || {
        let mut ready = Some(ready);
        for line in lossy_lines(stdout) {
            match line.strip_prefix(READY_PREFIX) {
                Some(url) if ready.is_some() => {
                    if let Some(tx) = ready.take() {
                        let _ = tx.send(url.trim().to_owned());
                    }
                }
                _ => push_log(&logs, line),
            }
        }
    });
}

fn drain_lines(stream: impl Read + Send + 'static, logs: Arc<Mutex<VecDeque<String>>>) {
    thread::spawn(move || {
        for line in lossy_lines(stream) {
            push_log(&logs, line);
        }
    });
}

/// The stream's lines until it ends, bytes that are not UTF-8 replaced. A reader that stops at the first such line
/// (as `lines()` does) closes the pipe, and the chain's next write then ends it with EPIPE: the likely cause of a
/// shared chain found gone mid-test ("connection refused") twice in the fault matrix.
fn lossy_lines(stream: impl Read) -> impl Iterator<Item = String> {
    let mut reader = BufReader::new(stream);
    std::iter::from_fn(move || {
        let mut buf = Vec::new();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => None,
            Ok(_) => {
                while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                    buf.pop();
                }
                Some(String::from_utf8_lossy(&buf).into_owned())
            }
        }
    })
}
