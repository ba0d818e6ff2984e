//! The terminal app (the real binary, in tmux) against the local spec-293 chain behind the fault proxy: for each
//! RPC method the Portfolio uses and each fault (a generic error, a stall, a dropped connection) the app keeps
//! answering keys, shows a stalled read's age with the way out (Esc), says what failed instead of hanging, and quits
//! at once with the terminal restored.
//!
//! CI runs the cells for the reads behind the Portfolio (`state_call`, `state_queryStorageAt`, `chain_getHeader`);
//! `cargo test --test fault_matrix -- --ignored any_call` runs every method the app calls. (A module of the
//! fault_matrix test binary, so both share one seeded chain.)

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::fault_proxy::Proxy;
use crate::common::tmux::Tmux;
use crate::common::world::{self, Shared};
use serde_json::json;

const WALLET: &str = "nominator";
/// How long the app may take to react to a key, whatever the node does.
const KEY_BOUND: Duration = Duration::from_secs(3);
const EXITED: &str = "TAOTUI_EXITED";

/// The world's nominator as a watch-only wallet: the Portfolio reads its positions.
fn home_with_watch_only(s: &Shared) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(super::taotui_bin())
        .args(["wallet", "regen-coldkey", "-w", WALLET, "--watch-only"])
        .arg(&s.world.nominator.ss58)
        .arg("--wallet-path")
        .arg(home.path().join("wallets"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("TAOTUI_DATA_DIR", home.path().join("data"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    home
}

/// The app in a terminal; when it exits, the shell prints its exit code and keeps the pane open.
fn start_app(home: &Path, network: &str) -> Tmux {
    let cmd = format!(
        "XDG_CONFIG_HOME={d}/config TAOTUI_DATA_DIR={d}/data XDG_CACHE_HOME={d}/cache {bin} --wallet-path {d}/wallets \
         --network {network}; echo {EXITED} $?; sleep 600",
        d = home.display(),
        bin = super::taotui_bin(),
    );
    Tmux::start("fault-tui", 120, 40, &cmd)
}

struct Cell {
    method: String,
    fault: &'static str,
    /// What the Portfolio said while the fault lasted (its first line that is not a table row).
    said: String,
    quit_took: Duration,
}

/// One cell: the app runs while `fault` hits `method`; returns what it showed, or the problem.
fn cell(proxy: &mut Proxy, home: &Path, method: &str, fault: &'static str) -> Result<Cell, String> {
    let spec = match fault {
        "error" => {
            json!({"method": method, "fault": "error", "code": -32000, "message": "Server error"})
        }
        other => json!({"method": method, "fault": other}),
    };
    proxy.set(&spec);
    let tmux = start_app(home, &proxy.url);
    let drawn = tmux.try_wait_until(Duration::from_secs(15), |s| s.contains("2 Portfolio"));
    let result = drawn
        .map_err(|screen| format!("the app did not draw within 15 s:\n{screen}"))
        .and_then(|_| {
            // Long enough for a stalled read to be worth its age on screen (and for errors to arrive).
            std::thread::sleep(Duration::from_secs(5));
            let said = portfolio_state(&tmux.screen());
            responds_to_keys(&tmux, fault)?;
            let quit_took = quits_cleanly(&tmux)?;
            Ok(Cell {
                method: method.to_owned(),
                fault,
                said,
                quit_took,
            })
        });
    proxy.clear();
    result
}

/// The Portfolio's lines that say how its data stands (reading, failed, stale, offline, connecting).
fn portfolio_state(screen: &str) -> String {
    const WORDS: [&str; 8] = [
        "Reading",
        "Refreshing",
        "Could not",
        "Stale",
        "Offline",
        "Connecting",
        "reconnecting",
        "Free",
    ];
    screen
        .lines()
        .filter(|l| WORDS.iter().any(|w| l.contains(w)))
        .map(|l| l.trim_matches(|c: char| c == '│' || c.is_whitespace()))
        .collect::<Vec<_>>()
        .join(" / ")
}

fn responds_to_keys(tmux: &Tmux, fault: &str) -> Result<(), String> {
    tmux.keys(&["?"]);
    tmux.try_wait_until(KEY_BOUND, |s| s.contains("Esc, Enter or ? closes this"))
        .map_err(|s| format!("? did not open the help within {KEY_BOUND:?}:\n{s}"))?;
    tmux.keys(&["Escape"]);
    tmux.try_wait_until(KEY_BOUND, |s| !s.contains("Esc, Enter or ? closes this"))
        .map_err(|s| format!("Esc did not close the help:\n{s}"))?;
    let screen = tmux.screen();
    if screen.contains("Esc stops waiting") {
        // A read stalls: its age is shown, and Esc ends the wait with a sentence. The read may also end on its
        // own (a dropped connection's retry fails) between the look and the key; then its own sentence stands.
        tmux.keys(&["Escape"]);
        tmux.try_wait_until(KEY_BOUND, |s| {
            s.contains("stopped waiting after") || s.contains("Could not read positions")
        })
        .map_err(|s| format!("Esc did not stop the wait:\n{s}"))?;
    } else if fault == "stall" && screen.contains("Reading positions") {
        return Err(format!(
            "a stalled read shows no age and no way out:\n{screen}"
        ));
    }
    Ok(())
}

fn quits_cleanly(tmux: &Tmux) -> Result<Duration, String> {
    let started = Instant::now();
    tmux.keys(&["q"]);
    let screen = tmux
        .try_wait_until(KEY_BOUND, |s| s.contains(EXITED))
        .map_err(|s| format!("q did not end the app within {KEY_BOUND:?}:\n{s}"))?;
    let took = started.elapsed();
    if !screen.contains(&format!("{EXITED} 0")) {
        return Err(format!("the app exited with an error:\n{screen}"));
    }
    // The alternate screen is left: nothing of the app stays on the terminal.
    if screen.contains("2 Portfolio") || screen.contains("panicked") {
        return Err(format!("the terminal was not restored:\n{screen}"));
    }
    Ok(took)
}

/// The methods the app calls from start until the Portfolio shows the nominator's positions.
fn methods_of_the_portfolio(proxy: &mut Proxy, home: &Path, s: &Shared) -> Vec<String> {
    proxy.clear();
    proxy.methods_since_reset();
    let tmux = start_app(home, &proxy.url);
    assert!(!s.world.positions.is_empty());
    // The positions table's header shows only with rows under it.
    tmux.wait_until("the positions", Duration::from_secs(60), |screen| {
        screen.contains("Free") && screen.contains("Per day")
    });
    quits_cleanly(&tmux).unwrap();
    proxy.methods_since_reset()
}

fn run_matrix(only: Option<&[&str]>) {
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    if !Tmux::available("fault_tui") {
        return;
    }
    let _alone = super::one_matrix_at_a_time();
    let mut proxy = Proxy::start(s.ws_url());
    let home = home_with_watch_only(s);
    let methods = methods_of_the_portfolio(&mut proxy, home.path(), s);
    println!("the portfolio uses {methods:?}");
    let chosen: Vec<String> = match only {
        Some(only) => {
            for m in only {
                assert!(
                    methods.iter().any(|x| x == m),
                    "the app no longer calls {m}; update the CI cells (it calls {methods:?})"
                );
            }
            only.iter().map(|m| (*m).to_owned()).collect()
        }
        None => methods,
    };
    let mut failures = Vec::new();
    let mut worst = Duration::ZERO;
    let mut cells = 0;
    for method in &chosen {
        for fault in ["error", "stall", "drop"] {
            cells += 1;
            match cell(&mut proxy, home.path(), method, fault) {
                Ok(c) => {
                    worst = worst.max(c.quit_took);
                    let said: String = c.said.chars().take(150).collect();
                    println!(
                        "tui cell | {:<28} | {:<5} | quit {:>4.1} s | {said}",
                        c.method,
                        c.fault,
                        c.quit_took.as_secs_f32()
                    );
                }
                Err(problem) => {
                    println!("tui cell | {method:<28} | {fault:<5} | PROBLEM");
                    failures.push(format!("{method} / {fault}: {problem}"));
                }
            }
        }
    }
    println!(
        "tui matrix: {cells} cells, {} with problems, slowest quit {:.1} s",
        failures.len(),
        worst.as_secs_f32()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_app_stays_responsive_and_quits_cleanly_whatever_the_portfolio_reads_meet() {
    run_matrix(Some(&[
        "state_call",
        "state_queryStorageAt",
        "chain_getHeader",
    ]));
}

#[test]
#[ignore = "every method the app calls; about 10 minutes, run by hand"]
fn the_app_stays_responsive_and_quits_cleanly_whatever_any_call_meets() {
    run_matrix(None);
}
