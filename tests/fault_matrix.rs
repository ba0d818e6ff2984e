//! Faults on the way to the chain, against the real spec-293 runtime (chopsticks) behind a fault proxy
//! (tests/chain/fault_proxy.mjs): every cell must end within its bound with a sentence naming the step, leave at most
//! one copy of the transaction on chain, and write nothing to history that did not happen. Also: a list of endpoints
//! whose first ones are dead reaches the chain through the next.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

#[allow(unused_imports)]
use common::local_chain_or_skip as _;

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::world::{self, Shared};
use taotui::chain::client::{ChainClient, ConnectOptions};
use taotui::chain::network::Network;

fn shared() -> Option<&'static Shared> {
    world::shared_or_skip()
}

/// A port nothing listens on (bound, then released).
fn dead_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The taotui binary under test; `TAOTUI_TEST_BIN` lets a run pin a copy (the build dir may be shared).
fn taotui_bin() -> String {
    std::env::var("TAOTUI_TEST_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_taotui").to_owned())
}

/// Runs taotui with private wallet, data and cache folders against `network`.
fn taotui(home: &Path, network: &str, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    Command::new(taotui_bin())
        .args(args)
        .arg("--network")
        .arg(network)
        .arg("--wallet-path")
        .arg(home.join("wallets"))
        .env("TAOTUI_DATA_DIR", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env_remove("TAOTUI_NETWORK")
        .env_remove("TAOTUI_PASSWORD_FILE")
        .envs(env.iter().copied())
        .output()
        .expect("running taotui")
}

#[test]
fn dead_and_silent_endpoints_are_skipped_for_the_next_one() {
    let Some(s) = shared() else { return };
    let dead = format!("ws://127.0.0.1:{}", dead_port());
    // Accepts the TCP connection but never answers the WebSocket handshake: only the connect timeout ends it.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent = format!("ws://{}", silent.local_addr().unwrap());
    let list = format!("{dead},{silent},{}", s.ws_url());
    let network: Network = list.parse().unwrap();
    assert_eq!(network.ws_urls().len(), 3);

    let started = Instant::now();
    let client = s
        .block_on(ChainClient::connect(
            &network,
            ConnectOptions {
                connect_timeout: Duration::from_secs(2),
                request_timeout: Duration::from_secs(20),
                watch_runtime_upgrades: false,
                ..ConnectOptions::default()
            },
        ))
        .unwrap();
    let took = started.elapsed();
    assert_eq!(client.endpoint(), s.ws_url());
    assert!(took < Duration::from_secs(8), "took {took:?}");
    assert!(s.block_on(client.head()).unwrap().number > 0);
    println!("endpoints: dead + silent skipped, connected to the third in {took:?}");

    // The CLI, given the same list, reads through the live endpoint.
    let home = tempfile::tempdir().unwrap();
    let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    let out = taotui(
        home.path(),
        &list,
        &["balance", "--ss58", alice],
        &[("TAOTUI_RPC_TIMEOUT", "2")],
    );
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // Every endpoint dead: one sentence naming each, well within endpoints x timeout.
    let all_dead = format!("{dead},ws://127.0.0.1:{}", dead_port());
    let started = Instant::now();
    let out = taotui(
        home.path(),
        &all_dead,
        &["balance", "--ss58", alice],
        &[("TAOTUI_RPC_TIMEOUT", "2")],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("cannot reach the chain") && err.contains(&dead),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}
