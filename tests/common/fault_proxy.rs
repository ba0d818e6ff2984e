//! The fault proxy (tests/chain/fault_proxy.mjs) between taotui and the local chain: per JSON-RPC method it can
//! answer with an error, stall, or drop the connection, as public nodes do (pruned_proxy.mjs plays a node that
//! keeps only recent state).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The fault proxy (tests/chain/fault_proxy.mjs) in front of `upstream`, driven through its stdin.
pub struct Proxy {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    lines: std::sync::mpsc::Receiver<String>,
    pub url: String,
}

impl Proxy {
    pub fn start(upstream: &str) -> Proxy {
        Proxy::start_script("fault_proxy.mjs", upstream, &[], "FAULT_PROXY_READY ")
    }

    /// Another proxy script of tests/chain (e.g. pruned_proxy.mjs) with its extra arguments and ready line.
    pub fn start_script(script: &str, upstream: &str, extra: &[&str], ready_prefix: &str) -> Proxy {
        use std::io::BufRead;
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut child =
            Command::new(std::env::var("TAOTUI_NODE").unwrap_or_else(|_| "node".into()))
                .arg(root.join("tests/chain").join(script))
                .arg("--upstream")
                .arg(upstream)
                .args(extra)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("starting the fault proxy");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let ready = lines
            .recv_timeout(Duration::from_secs(30))
            .expect("fault proxy ready line");
        let url = ready.strip_prefix(ready_prefix).expect(&ready).to_owned();
        Proxy {
            child,
            stdin,
            lines,
            url,
        }
    }

    pub fn command(&mut self, json: &serde_json::Value, answer: &str) -> String {
        use std::io::Write;
        writeln!(self.stdin, "{json}").unwrap();
        self.stdin.flush().unwrap();
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(10))
                .expect("fault proxy answer");
            if let Some(rest) = line.strip_prefix(answer) {
                return rest.trim().to_owned();
            }
        }
    }

    pub fn set(&mut self, fault: &serde_json::Value) {
        self.command(fault, "FAULT_OK");
    }

    pub fn clear(&mut self) {
        self.set(&serde_json::json!({"clear": true}));
    }

    /// Methods called since the last reset, sorted.
    pub fn methods_since_reset(&mut self) -> Vec<String> {
        let stats = self.command(&serde_json::json!({"stats": true}), "FAULT_STATS");
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&stats).unwrap();
        self.set(&serde_json::json!({"reset_stats": true}));
        let mut methods: Vec<String> = map.keys().cloned().collect();
        methods.sort();
        methods
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
