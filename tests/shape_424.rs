//! Shapes of today's finney (spec 424), which no local chain runs: `tests/chain/double424.mjs` serves the real
//! spec-424 metadata and answers the reads with values encoded from that metadata's own types, and the real
//! `taotui` binary must show exactly what was encoded. The scenario has a weighted pool whose runtime price
//! (0.25 τ/α) is half its reserve ratio, and a position with 400 of its 1,000 α locked.
//!
//! A test double for runtime shapes only; the spec-293 chain tests (tests/chain_read.rs) prove the behaviour.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::metadata_edit;
use taotui::chain::queries::AccountId;

const READY: &str = "TAOTUI_DOUBLE_READY ";
const SCENARIO: &str = "TAOTUI_DOUBLE_SCENARIO ";
const RAO: u128 = 1_000_000_000;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn metadata_424() -> PathBuf {
    repo().join("../shared/chain/subtensor-finney-spec424.metadata.scale")
}

fn node() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TAOTUI_NODE").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join("node"))
        .find(|c| c.is_file())
}

/// Why the double cannot run here, if it cannot (then the test is skipped, except under CI where it fails).
fn missing() -> Option<String> {
    if node().is_none() {
        return Some("`node` is not on PATH (or TAOTUI_NODE)".into());
    }
    if !repo()
        .join("tests/chain/node_modules/@polkadot/types")
        .exists()
    {
        return Some("tests/chain/node_modules is missing: run `npm ci` in tests/chain".into());
    }
    if !metadata_424().is_file() {
        return Some(format!("{} is missing", metadata_424().display()));
    }
    None
}

struct Double {
    child: Child,
    _stdin: Option<ChildStdin>,
    url: String,
    scenario: serde_json::Value,
}

impl Drop for Double {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_double(metadata: &Path, spec: u32) -> Option<Double> {
    if let Some(reason) = missing() {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(!ci, "the spec-424 shape test cannot run under CI: {reason}");
        eprintln!("SKIPPED shape_424: {reason}");
        return None;
    }
    let mut child = Command::new(node().unwrap())
        .arg(repo().join("tests/chain/double424.mjs"))
        .arg(metadata)
        .arg(spec.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starting tests/chain/double424.mjs");
    let stdin = child.stdin.take();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut url = None;
    let mut scenario = None;
    while url.is_none() || scenario.is_none() {
        // Parsing 340 KB of metadata takes a few seconds; far longer on a loaded machine.
        let line = rx
            .recv_timeout(Duration::from_secs(180))
            .expect("no ready line from double424.mjs within 180 s");
        if let Some(u) = line.strip_prefix(READY) {
            url = Some(u.trim().to_owned());
        } else if let Some(s) = line.strip_prefix(SCENARIO) {
            scenario = Some(serde_json::from_str(s).unwrap());
        }
    }
    Some(Double {
        child,
        _stdin: stdin,
        url: url.unwrap(),
        scenario: scenario.unwrap(),
    })
}

/// The taotui binary with a private home (no config, wallets or metadata cache of the machine).
fn taotui(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taotui"))
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("TAOTUI_NETWORK")
        .output()
        .expect("running taotui")
}

fn ok_stdout(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn num(v: &serde_json::Value) -> u128 {
    match v {
        serde_json::Value::String(s) => s.parse().unwrap(),
        serde_json::Value::Number(n) => u128::from(n.as_u64().unwrap()),
        other => panic!("not a number: {other}"),
    }
}

/// The requests the last taotui command made after connecting (the double logs each; a batch is one request).
fn read_requests(url: &str) -> Vec<Vec<String>> {
    const CONNECT: [&str; 3] = [
        "chain_getBlockHash",
        "state_getRuntimeVersion",
        "state_call Metadata_metadata_at_version",
    ];
    let log: Vec<Vec<Vec<String>>> = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let rpc = subxt::rpcs::RpcClient::from_insecure_url(url)
            .await
            .unwrap();
        rpc.request("taotui_requestLog", subxt::rpcs::rpc_params![])
            .await
            .unwrap()
    });
    log.last()
        .unwrap()
        .iter()
        .filter(|r| !(r.len() == 1 && CONNECT.contains(&r[0].as_str())))
        .cloned()
        .collect()
}

fn account(hex: &serde_json::Value) -> AccountId {
    let bytes = hex::decode(hex.as_str().unwrap().trim_start_matches("0x")).unwrap();
    AccountId(<[u8; 32]>::try_from(bytes.as_slice()).unwrap())
}

#[test]
fn stake_list_and_balance_show_the_runtime_price_and_the_locks_of_spec_424() {
    let Some(double) = start_double(&metadata_424(), 424) else {
        return;
    };
    reads_show_what_the_double_encoded(&double);
}

/// Finney removed `Alpha`, `TotalHotkeyShares`, `RootClaimType` and `NumRootClaim` by 475; taotui refused to start
/// on such a runtime. Served the 424 metadata without them, every read shows the same values.
#[test]
fn the_same_reads_work_on_a_475_shaped_runtime() {
    let Some(bytes) = metadata_edit::read_or_skip(
        "the_same_reads_work_on_a_475_shaped_runtime",
        metadata_edit::SPEC424,
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("475.scale");
    std::fs::write(
        &file,
        metadata_edit::encode(metadata_edit::shaped_475(&bytes)),
    )
    .unwrap();
    let Some(double) = start_double(&file, 475) else {
        return;
    };
    reads_show_what_the_double_encoded(&double);
    let home = tempfile::tempdir().unwrap();
    let out = taotui(home.path(), &["--network", &double.url, "--json", "doctor"]);
    let doctor: serde_json::Value = serde_json::from_str(&ok_stdout(&out, "doctor")).unwrap();
    assert_eq!(doctor["spec_version"], 475);
    assert_eq!(doctor["core_works"], true);
    assert_eq!(doctor["endpoint"], double.url.as_str());
}

fn reads_show_what_the_double_encoded(double: &Double) {
    let home = tempfile::tempdir().unwrap();
    let s = &double.scenario;
    let coldkey = account(&s["coldkey"]).ss58();
    let expected: Vec<_> = s["positions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let alpha = num(&p["alpha"]);
            let price = num(&p["price"]);
            let locked = num(&p["locked"]);
            (
                account(&p["hotkey"]).ss58(),
                p["name"].as_str().unwrap().to_owned(),
                p["netuid"].as_u64().unwrap(),
                alpha,
                // Position value = alpha x the runtime's price, rounded down to the rao.
                alpha * price / RAO,
                locked,
                alpha - locked,
            )
        })
        .collect();
    let staked: u128 = expected.iter().map(|e| e.4).sum();
    let free = num(&s["free"]);

    let args = [
        "--network",
        &double.url,
        "--json",
        "stake",
        "list",
        "--ss58",
        &coldkey,
    ];
    let list: serde_json::Value =
        serde_json::from_str(&ok_stdout(&taotui(home.path(), &args), "stake list --json")).unwrap();
    assert_eq!(list["coldkey"].as_str().unwrap(), coldkey);
    assert_eq!(num(&list["free"]), free);
    let positions = list["positions"].as_array().unwrap();
    assert_eq!(positions.len(), expected.len(), "{list}");
    for (p, (hotkey, name, netuid, alpha, value, locked, available)) in
        positions.iter().zip(&expected)
    {
        assert_eq!(p["hotkey"].as_str().unwrap(), hotkey);
        // Read from storage (`Owner`, then `IdentitiesV2`): the keys the app builds match the runtime's hashers.
        assert_eq!(p["hotkey_name"].as_str(), Some(name.as_str()));
        assert_eq!(p["netuid"].as_u64().unwrap(), *netuid);
        assert_eq!(num(&p["alpha"]), *alpha, "alpha on {netuid}");
        assert_eq!(num(&p["tao_value"]), *value, "value on {netuid}");
        assert_eq!(num(&p["locked"]), *locked, "locked on {netuid}");
        assert_eq!(num(&p["available"]), *available, "available on {netuid}");
    }
    // The weighted pool: 100 α at the runtime's 0.25 τ/α is 25 τ, not the 50 τ its reserves would say.
    assert_eq!(num(&positions[0]["tao_value"]), 25 * RAO);
    assert_eq!(
        (
            num(&positions[1]["locked"]),
            num(&positions[1]["available"])
        ),
        (400 * RAO, 600 * RAO)
    );
    assert_eq!(num(&list["staked_value"]), staked);

    // Spec 424 adds the price and lock calls, still within the 3-request budget: one batch of runtime calls.
    let mut reads = read_requests(&double.url);
    // The value journal labels its snapshot with the head block: one `chain_getHeader` beside the reads.
    let header = ["chain_getHeader".to_owned()];
    let labels = reads.iter().filter(|r| r.as_slice() == header).count();
    assert_eq!(labels, 1, "stake list's reads: {reads:?}");
    reads.retain(|r| r.as_slice() != header);
    assert_eq!(reads.len(), 3, "stake list's reads: {reads:?}");
    let mut first = reads[0].clone();
    first.sort();
    assert_eq!(
        first,
        [
            "state_call StakeInfoRuntimeApi_get_stake_availability_for_coldkeys",
            "state_call StakeInfoRuntimeApi_get_stake_info_for_coldkey",
            "state_call SwapRuntimeApi_current_alpha_price_all",
        ]
    );
    let args = [
        "--network",
        &double.url,
        "stake",
        "list",
        "--ss58",
        &coldkey,
    ];
    let human = ok_stdout(&taotui(home.path(), &args), "stake list");
    assert!(human.contains("locked (α)"), "{human}");
    assert!(human.contains("400.0000"), "{human}");

    let args = [
        "--network",
        &double.url,
        "--json",
        "balance",
        "--ss58",
        &coldkey,
    ];
    let rows: serde_json::Value =
        serde_json::from_str(&ok_stdout(&taotui(home.path(), &args), "balance --json")).unwrap();
    let row = &rows.as_array().unwrap()[0];
    assert_eq!(row["coldkey"].as_str().unwrap(), coldkey);
    assert_eq!(num(&row["free"]), free);
    assert_eq!(num(&row["staked_value"]), staked);
    assert_eq!(num(&row["total"]), free + staked);
}
