//! ChainClient against the local spec-293 chain: connect, metadata cache, request counting, raw helpers, and
//! behaviour when the node is unreachable, killed and restarted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use subxt::ext::codec::Decode;
use taotui::chain::client::{ChainClient, ConnectOptions, ConnectionState};
use taotui::chain::error::ChainError;
use taotui::chain::network::Network;

/// twox128("System") ++ twox128("Number").
const SYSTEM_NUMBER_KEY: &str = "26aa394eea5630e07c48ae0c9558cef702a5c1b19ab7a04f536c519aca4983ac";
/// twox128("Balances") ++ twox128("TotalIssuance").
const TOTAL_ISSUANCE_KEY: &str = "c2261276cc9d1f8598ea4b6a74b15c2f57c875e4cff74148e4628f264b974c80";
/// Genesis funds //Alice, //Bob and //Charlie with 1e15 rao each.
const GENESIS_FUNDS: u64 = 3_000_000_000_000_000;

fn opts(cache: Option<&std::path::Path>) -> ConnectOptions {
    ConnectOptions {
        request_timeout: Duration::from_secs(20),
        connect_timeout: Duration::from_secs(5),
        metadata_cache_dir: cache.map(Into::into),
        ..ConnectOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_caches_metadata_counts_requests_and_reads_raw() {
    let chain = common::local_chain_or_skip!();
    let network: Network = chain.ws_url().parse().unwrap();
    let cache = tempfile::tempdir().unwrap();

    let cold = ChainClient::connect(&network, opts(Some(cache.path())))
        .await
        .unwrap();
    let cold_requests = cold.request_count();
    assert_eq!(cold.spec_version(), 293);
    assert_eq!(cold.connection_state(), ConnectionState::Connected);
    let cached: Vec<_> = std::fs::read_dir(cache.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(cached.len(), 1, "one metadata file cached: {cached:?}");
    let name = cached[0].to_string_lossy().into_owned();
    assert_eq!(
        name,
        format!("{}-293.scale", hex::encode(cold.genesis_hash()))
    );

    let started = Instant::now();
    let warm = ChainClient::connect(&network, opts(Some(cache.path())))
        .await
        .unwrap();
    let warm_elapsed = started.elapsed();
    // Genesis hash + runtime version + the runtime-version subscription; no metadata download.
    assert_eq!(warm.request_count(), 3, "a cache hit costs 3 requests");
    assert!(
        cold_requests > warm.request_count(),
        "cold connect {cold_requests} requests, warm {}",
        warm.request_count()
    );
    assert_eq!(warm.genesis_hash(), cold.genesis_hash());
    eprintln!(
        "cold connect: {cold_requests} requests; warm connect: 3 requests in {warm_elapsed:?}"
    );

    // Each helper is exactly one request.
    let before = warm.request_count();
    let head = warm.head().await.unwrap();
    assert_eq!(warm.request_count(), before + 1);
    let at = warm.api().at_current_block().await.unwrap();
    assert_eq!(
        at.block_hash().0,
        head.hash,
        "head() computes the same hash as the node"
    );
    assert_eq!(at.block_number(), head.number);

    let before = warm.request_count();
    let keys = vec![
        hex::decode(TOTAL_ISSUANCE_KEY).unwrap(),
        vec![0xde, 0xad, 0xbe, 0xef],
        hex::decode(SYSTEM_NUMBER_KEY).unwrap(),
    ];
    let values = warm.query_storage_at(&keys, Some(head.hash)).await.unwrap();
    assert_eq!(
        warm.request_count(),
        before + 1,
        "query_storage_at is one request"
    );
    assert_eq!(values.len(), 3);
    let issuance = u64::decode(&mut values[0].as_deref().unwrap()).unwrap();
    assert!(issuance >= GENESIS_FUNDS, "total issuance {issuance}");
    assert_eq!(values[1], None, "an absent key is None, in its place");
    let number = u32::decode(&mut values[2].as_deref().unwrap()).unwrap();
    assert_eq!(u64::from(number), head.number);

    let before = warm.request_count();
    let version = warm
        .state_call("Core_version", &[], Some(head.hash))
        .await
        .unwrap();
    assert_eq!(warm.request_count(), before + 1);
    let (_, _, _, spec): (String, String, u32, u32) = Decode::decode(&mut &version[..]).unwrap();
    assert_eq!(spec, 293);

    let err = warm
        .state_call("NoSuchApi_method", &[], None)
        .await
        .unwrap_err();
    assert!(matches!(err, ChainError::Rpc { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_url_fails_quickly_with_unreachable() {
    let port = free_port();
    let network: Network = format!("ws://127.0.0.1:{port}").parse().unwrap();
    let started = Instant::now();
    let err = ChainClient::connect(&network, opts(None))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    match &err {
        ChainError::Unreachable { url, .. } => assert!(url.contains(&port.to_string())),
        other => panic!("expected Unreachable, got {other:?}"),
    }
    assert!(err.to_string().contains("--network"), "{err}");
}

/// A chain started by hand on a fixed port (the harness picks a free port each time, and a restart must reuse it).
struct PortChain(Child);

impl Drop for PortChain {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_on_port(setup: &common::localchain::Setup, port: u16) -> PortChain {
    let mut child = Command::new(&setup.node)
        .arg(&setup.script)
        .env("TAOTUI_CHAIN_SPEC", &setup.spec)
        .env("TAOTUI_CHAIN_PORT", port.to_string())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let ready = lines
        .by_ref()
        .map_while(Result::ok)
        .any(|l| l.starts_with("TAOTUI_CHAIN_READY "));
    assert!(ready, "chain on port {port} did not start");
    // Keep draining so chopsticks never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    PortChain(child)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_chain_gives_disconnected_then_reconnects_after_restart() {
    let setup = match common::localchain::locate() {
        Ok(setup) => setup,
        Err(err) => {
            assert!(!common::localchain::running_in_ci(), "{err}");
            common::localchain::report_skip(
                "killed_chain_gives_disconnected_then_reconnects_after_restart",
                &err.to_string(),
            );
            return;
        }
    };
    let port = free_port();
    let chain = start_on_port(&setup, port);
    let network: Network = format!("ws://127.0.0.1:{port}").parse().unwrap();
    let client = ChainClient::connect(
        &network,
        ConnectOptions {
            request_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(2),
            ..ConnectOptions::default()
        },
    )
    .await
    .unwrap();
    let mut states = client.watch_connection_state();
    client.head().await.unwrap();

    drop(chain);
    let started = Instant::now();
    let err = client.head().await.unwrap_err();
    assert!(
        matches!(err, ChainError::Disconnected | ChainError::Timeout { .. }),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "took {:?}",
        started.elapsed()
    );
    assert!(err.is_transient());
    tokio::time::timeout(
        Duration::from_secs(10),
        states.wait_for(|s| *s != ConnectionState::Connected),
    )
    .await
    .expect("state leaves Connected")
    .unwrap();

    let _restarted = start_on_port(&setup, port);
    tokio::time::timeout(
        Duration::from_secs(60),
        states.wait_for(|s| *s == ConnectionState::Connected),
    )
    .await
    .expect("reconnects within 60 s of the restart")
    .unwrap();
    assert!(client.reconnect_count() >= 1);
    let head = client
        .head()
        .await
        .expect("reads work again after reconnecting");
    assert!(head.number >= 1);
}
