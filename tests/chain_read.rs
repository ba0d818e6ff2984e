//! The read side against the real spec-293 runtime: every command's JSON is checked against values
//! computed independently here (raw dynamic storage reads through subxt, the runtime's own
//! `SwapRuntimeApi.current_alpha_price`, the APY formula recomputed from raw storage), the RPC
//! budget of `stake list` is counted, and bad input fails fast with a clear sentence.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

#[allow(unused_imports)]
use common::local_chain_or_skip as _;

use std::collections::BTreeSet;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::chain_reads::{self, number, read};
use common::world::{self, Shared};
use subxt::dynamic::{At, Value};
use subxt::ext::codec::{Decode, Encode};
use subxt::ext::frame_decode::storage::{IntoDecodableValues, IntoEncodableValues};
use subxt::rpcs::{RpcClient, rpc_params};
use subxt::{OnlineClient, SubstrateConfig};
use taotui::chain::client::{ChainClient, ConnectOptions};
use taotui::chain::network::Network;
use taotui::chain::queries::{self, AccountId};

fn shared() -> Option<&'static Shared> {
    world::shared_or_skip()
}

fn ss58(key: &[u8; 32]) -> String {
    AccountId(*key).ss58()
}

/// Runs the taotui binary with a private metadata cache and no inherited network.
fn taotui(args: &[&str]) -> Output {
    let cache =
        std::env::temp_dir().join(format!("taotui-chain-read-cache-{}", std::process::id()));
    Command::new(env!("CARGO_BIN_EXE_taotui"))
        .args(args)
        .env("XDG_CACHE_HOME", &cache)
        .env_remove("TAOTUI_NETWORK")
        .output()
        .expect("running taotui")
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = taotui(args);
    assert!(
        out.status.success(),
        "taotui {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "taotui {args:?} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// Like `read`, but an unset key gives the item's declared default, as the runtime sees it.
async fn read_or_default<K>(api: &OnlineClient<SubstrateConfig>, entry: &str, keys: K) -> u128
where
    K: IntoEncodableValues + IntoDecodableValues,
{
    number(&chain_reads::read_or_default(api, "SubtensorModule", entry, keys).await)
}

async fn sub_num<K>(api: &OnlineClient<SubstrateConfig>, entry: &str, keys: K) -> u128
where
    K: IntoEncodableValues + IntoDecodableValues,
{
    read(api, "SubtensorModule", entry, keys)
        .await
        .map_or(0, |v| number(&v))
}

/// The runtime's own spot price, in rao per whole alpha.
async fn runtime_price(rpc: &RpcClient, netuid: u16) -> u64 {
    let hex: String = rpc
        .request(
            "state_call",
            rpc_params![
                "SwapRuntimeApi_current_alpha_price",
                format!("0x{}", hex::encode(netuid.encode()))
            ],
        )
        .await
        .unwrap();
    u64::decode(&mut &hex::decode(hex.trim_start_matches("0x")).unwrap()[..]).unwrap()
}

/// The per-epoch rate recomputed from raw storage: dividends / last-epoch alpha.
async fn expected_rate(
    api: &OnlineClient<SubstrateConfig>,
    hotkey: [u8; 32],
    netuid: u16,
) -> Option<f64> {
    let dividends = sub_num(api, "AlphaDividendsPerSubnet", (netuid, hotkey)).await as f64;
    let last = sub_num(api, "TotalHotkeyAlphaLastEpoch", (hotkey, netuid)).await as f64;
    (last > 0.0).then(|| dividends / last)
}

/// APY recomputed here from raw storage: r = dividends / last-epoch alpha, (1 + r)^(365*7200/(tempo+1)) - 1.
async fn expected_apy(
    api: &OnlineClient<SubstrateConfig>,
    hotkey: [u8; 32],
    netuid: u16,
) -> Option<f64> {
    let dividends = sub_num(api, "AlphaDividendsPerSubnet", (netuid, hotkey)).await as f64;
    let last = sub_num(api, "TotalHotkeyAlphaLastEpoch", (hotkey, netuid)).await as f64;
    let tempo = sub_num(api, "Tempo", (netuid,)).await as f64;
    // JSON has no infinity: an APY that overflows f64 (dust stake, large dividends) is null.
    (last > 0.0)
        .then(|| (1.0 + dividends / last).powf(365.0 * 7200.0 / (tempo + 1.0)) - 1.0)
        .filter(|a| a.is_finite())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

fn free_of(account: &Value) -> u128 {
    account
        .at("data")
        .and_then(|d| d.at("free"))
        .and_then(Value::as_u128)
        .unwrap()
}

#[test]
fn stake_list_json_matches_independent_reads() {
    let Some(shared) = shared() else { return };
    let w = &shared.world;
    let nominator = w.nominator.ss58.as_str();
    let out = json(&[
        "--network",
        shared.ws_url(),
        "--json",
        "stake",
        "list",
        "--ss58",
        nominator,
    ]);
    assert_eq!(out["coldkey"], nominator);
    let positions = out["positions"].as_array().unwrap();
    let listed: BTreeSet<(String, u16)> = positions
        .iter()
        .map(|p| {
            (
                p["hotkey"].as_str().unwrap().to_owned(),
                p["netuid"].as_u64().unwrap() as u16,
            )
        })
        .collect();
    let seeded: BTreeSet<(String, u16)> = w
        .positions
        .iter()
        .map(|p| (ss58(&p.hotkey), p.netuid))
        .collect();
    assert_eq!(listed, seeded, "every seeded position, once");
    assert!(positions.len() >= 8);

    shared.block_on(async {
        let (api, rpc) = world::connect(shared.ws_url()).await;
        let account = read(&api, "System", "Account", (w.nominator.coldkey,))
            .await
            .unwrap();
        assert_eq!(u128::from(out["free"].as_u64().unwrap()), free_of(&account));
        let mut sum = 0u64;
        let mut with_apy = 0;
        let mut with_rate = 0;
        for p in positions {
            let netuid = p["netuid"].as_u64().unwrap() as u16;
            let hotkey = AccountId::from_ss58(p["hotkey"].as_str().unwrap())
                .unwrap()
                .0;
            // Alpha storage holds shares: amount = shares * TotalHotkeyAlpha / TotalHotkeyShares (U64F64 bits).
            let shares = sub_num(&api, "Alpha", (hotkey, w.nominator.coldkey, netuid)).await;
            let total = sub_num(&api, "TotalHotkeyAlpha", (hotkey, netuid)).await;
            let total_shares = sub_num(&api, "TotalHotkeyShares", (hotkey, netuid)).await;
            // U64F64 bits on both sides cancel; the product overflows u128, and f64 is exact to
            // far below one rao at these sizes.
            let expected_alpha =
                (shares as f64 * total as f64 / total_shares as f64).floor() as u128;
            let alpha = u128::from(p["alpha"].as_u64().unwrap());
            assert!(
                alpha.abs_diff(expected_alpha) <= 2,
                "alpha on {netuid}: {alpha} vs shares-derived {expected_alpha}"
            );
            let price = u128::from(runtime_price(&rpc, netuid).await);
            let expected_value = alpha * price / 1_000_000_000;
            let value = u128::from(p["tao_value"].as_u64().unwrap());
            // The runtime's price is THE price (issue 9): the value is alpha x that price, to the rao.
            assert_eq!(
                value, expected_value,
                "TAO value on {netuid} at {price} rao/alpha"
            );
            assert!(
                p["locked"].is_null() && p["available"].is_null(),
                "293 has no locks"
            );
            // Issue 9: an estimate past u64 is unknown (null), never u64::MAX.
            assert_ne!(
                p["daily_alpha"].as_u64(),
                Some(u64::MAX),
                "daily alpha on {netuid}"
            );
            if netuid == 0 {
                assert_eq!(value, alpha, "root converts 1:1");
            }
            sum += p["tao_value"].as_u64().unwrap();
            match (
                p["epoch_rate"].as_f64(),
                expected_rate(&api, hotkey, netuid).await,
            ) {
                (Some(got), Some(want)) => {
                    assert!(close(got, want), "epoch rate on {netuid}: {got} vs {want}");
                    with_rate += usize::from(got > 0.0);
                }
                (None, None) => {}
                (got, want) => panic!("epoch rate on {netuid}: {got:?} vs {want:?}"),
            }
            match (p["apy"].as_f64(), expected_apy(&api, hotkey, netuid).await) {
                (Some(got), Some(want)) => {
                    assert!(close(got, want), "APY on {netuid}: {got} vs {want}");
                    with_apy += 1;
                }
                (None, None) => {}
                (got, want) => panic!("APY on {netuid}: {got:?} vs {want:?}"),
            }
        }
        assert_eq!(out["staked_value"].as_u64().unwrap(), sum);
        assert!(
            with_rate > 0,
            "dividends exist after the seeded epochs, so some positions must earn"
        );
        eprintln!("{with_apy} positions with a finite APY, {with_rate} with a positive epoch rate");
    });
}

#[test]
fn stake_list_costs_at_most_three_requests() {
    let Some(shared) = shared() else { return };
    let coldkey = AccountId(shared.world.nominator.coldkey);
    shared.block_on(async {
        let network: Network = shared.ws_url().parse().unwrap();
        let opts = ConnectOptions {
            watch_runtime_upgrades: false,
            ..ConnectOptions::default()
        };
        let client = ChainClient::connect(&network, opts).await.unwrap();
        let before = client.request_count();
        let listing = queries::stake_list(&client, coldkey).await.unwrap();
        let used = client.request_count() - before;
        assert!(
            listing.positions.len() >= 8,
            "{} positions",
            listing.positions.len()
        );
        assert!(used <= 3, "stake list used {used} RPC requests");
        assert!(
            listing.positions.iter().any(|p| p.hotkey_name.is_some()),
            "identity names are resolved within the budget"
        );
    });
}

/// The JSON-RPC batch that carries the price and lock calls on newer runtimes: one request on the count, answers in
/// call order and equal to the same calls made one by one, and a refused entry names its method.
#[test]
fn a_batch_of_runtime_calls_is_one_request() {
    let Some(shared) = shared() else { return };
    let coldkey = shared.world.nominator.coldkey;
    shared.block_on(async {
        let network: Network = shared.ws_url().parse().unwrap();
        let opts = ConnectOptions {
            watch_runtime_upgrades: false,
            ..ConnectOptions::default()
        };
        let client = ChainClient::connect(&network, opts).await.unwrap();
        let info = "StakeInfoRuntimeApi_get_stake_info_for_coldkey";
        let price = "SwapRuntimeApi_current_alpha_price";
        let hex = |b: Vec<u8>| serde_json::Value::String(format!("0x{}", hex::encode(b)));
        let calls = [
            ("state_call", vec![info.into(), hex(coldkey.encode())]),
            ("state_call", vec![price.into(), hex(1u16.encode())]),
            ("no_such_method", vec![]),
        ];
        let before = client.request_count();
        let answers = client.batch(&calls).await.unwrap();
        assert_eq!(client.request_count() - before, 1);
        assert_eq!(answers.len(), 3);
        let one_by_one = client
            .state_call(info, &coldkey.encode(), None)
            .await
            .unwrap();
        let got = answers[0].as_ref().unwrap().as_str().unwrap().to_owned();
        assert_eq!(got, format!("0x{}", hex::encode(one_by_one)));
        let rpc = world::connect(shared.ws_url()).await.1;
        let p = answers[1].as_ref().unwrap().as_str().unwrap();
        let p = u64::decode(&mut &hex::decode(p.trim_start_matches("0x")).unwrap()[..]).unwrap();
        assert_eq!(p, runtime_price(&rpc, 1).await);
        let refused = answers[2].as_ref().unwrap_err().to_string();
        assert!(refused.contains("no_such_method"), "{refused}");
    });
}

/// Spec 293 lists `SwapRuntimeApi.current_alpha_price`, so the reads take their price from it; the storage path
/// (for a runtime without the Swap runtime API) must still give the same price on every subnet, so it stays proven.
#[test]
fn storage_prices_agree_with_the_runtime_price_on_every_subnet() {
    let Some(shared) = shared() else { return };
    shared.block_on(async {
        let network: Network = shared.ws_url().parse().unwrap();
        let opts = ConnectOptions {
            watch_runtime_upgrades: false,
            ..ConnectOptions::default()
        };
        let client = ChainClient::connect(&network, opts).await.unwrap();
        assert_eq!(
            queries::price_source(&client.features()),
            queries::PriceSource::RuntimeEach
        );
        let netuids: Vec<u16> = queries::subnets(&client)
            .await
            .unwrap()
            .iter()
            .map(|s| s.netuid)
            .collect();
        assert!(netuids.len() >= 3, "{netuids:?}");
        let before = client.request_count();
        let runtime = queries::subnet_prices(&client, &netuids, queries::PriceSource::RuntimeEach)
            .await
            .unwrap();
        assert_eq!(
            client.request_count() - before,
            1,
            "all subnets' price calls in one batch"
        );
        let storage = queries::subnet_prices(&client, &netuids, queries::PriceSource::Storage)
            .await
            .unwrap();
        let (_, rpc) = world::connect(shared.ws_url()).await;
        for n in &netuids {
            let rt = runtime[n]
                .rao_per_alpha(taotui::amount::Rounding::Down)
                .unwrap();
            assert_eq!(rt, runtime_price(&rpc, *n).await, "subnet {n}");
            let st = storage[n]
                .rao_per_alpha(taotui::amount::Rounding::Down)
                .unwrap();
            // The runtime rounds its price to whole rao per alpha; storage keeps the fraction.
            assert!(
                rt.abs_diff(st) <= 1,
                "subnet {n}: runtime {rt} vs storage {st}"
            );
        }
    });
}

#[test]
fn balance_json_for_several_wallets() {
    let Some(shared) = shared() else { return };
    let w = &shared.world;
    let dir = tempfile::tempdir().unwrap();
    let wallets = dir.path().to_str().unwrap();
    let made = taotui(&[
        "--wallet-path",
        wallets,
        "wallet",
        "regen-coldkey",
        "--wallet-name",
        "nom",
        "--watch-only",
        &w.nominator.ss58,
    ]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let alice = ss58(&world::account("//Alice"));
    let out = json(&[
        "--network",
        shared.ws_url(),
        "--wallet-path",
        wallets,
        "--json",
        "balance",
        "--wallet-name",
        "nom",
        "--ss58",
        &alice,
    ]);
    let rows = out.as_array().expect("balance --json prints an array");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["coldkey"], w.nominator.ss58.as_str());
    assert_eq!(rows[0]["wallet"], "nom");
    assert_eq!(rows[1]["coldkey"], alice.as_str());
    let listing = json(&[
        "--network",
        shared.ws_url(),
        "--json",
        "stake",
        "list",
        "--ss58",
        &w.nominator.ss58,
    ]);
    assert_eq!(rows[0]["staked_value"], listing["staked_value"]);
    shared.block_on(async {
        let (api, _) = world::connect(shared.ws_url()).await;
        for (row, key) in rows
            .iter()
            .zip([w.nominator.coldkey, world::account("//Alice")])
        {
            let account = read(&api, "System", "Account", (key,)).await.unwrap();
            assert_eq!(u128::from(row["free"].as_u64().unwrap()), free_of(&account));
            let reserved = account
                .at("data")
                .and_then(|d| d.at("reserved"))
                .and_then(Value::as_u128)
                .unwrap();
            assert_eq!(u128::from(row["reserved"].as_u64().unwrap()), reserved);
            let total = row["free"].as_u64().unwrap()
                + row["reserved"].as_u64().unwrap()
                + row["staked_value"].as_u64().unwrap();
            assert_eq!(row["total"].as_u64().unwrap(), total);
        }
    });
}

#[test]
fn subnets_json_matches_storage() {
    let Some(shared) = shared() else { return };
    let rows = json(&["--network", shared.ws_url(), "--json", "subnets"]);
    let rows = rows.as_array().unwrap();
    let netuids: Vec<u16> = rows
        .iter()
        .map(|r| r["netuid"].as_u64().unwrap() as u16)
        .collect();
    for n in shared.world.netuids().into_iter().chain([0, 1]) {
        assert!(netuids.contains(&n), "subnet {n} listed");
    }
    assert_eq!(rows[0]["name"], "root");
    shared.block_on(async {
        let (api, rpc) = world::connect(shared.ws_url()).await;
        for r in rows {
            let n = r["netuid"].as_u64().unwrap() as u16;
            assert_eq!(
                u128::from(r["tao_in"].as_u64().unwrap()),
                sub_num(&api, "SubnetTAO", (n,)).await
            );
            assert_eq!(
                u128::from(r["alpha_in"].as_u64().unwrap()),
                sub_num(&api, "SubnetAlphaIn", (n,)).await
            );
            assert_eq!(
                u128::from(r["alpha_out"].as_u64().unwrap()),
                sub_num(&api, "SubnetAlphaOut", (n,)).await
            );
            assert_eq!(
                u128::from(r["tempo"].as_u64().unwrap()),
                sub_num(&api, "Tempo", (n,)).await
            );
            let price = r["price_rao_per_alpha"].as_u64().unwrap();
            let runtime = runtime_price(&rpc, n).await;
            assert_eq!(price, runtime, "price of {n} is the runtime's");
        }
    });
}

#[test]
fn validators_json_matches_storage() {
    let Some(shared) = shared() else { return };
    let w = &shared.world;
    shared.block_on(async {
        let (api, _) = world::connect(shared.ws_url()).await;
        for n in w.netuids() {
            let rows = json(&[
                "--network",
                shared.ws_url(),
                "--json",
                "validators",
                "--netuid",
                &n.to_string(),
                "--sort",
                "apy",
            ]);
            let rows = rows.as_array().unwrap();
            let listed: BTreeSet<String> = rows
                .iter()
                .map(|r| r["hotkey"].as_str().unwrap().to_owned())
                .collect();
            for v in w.validators.iter().filter(|v| v.netuids.contains(&n)) {
                assert!(
                    listed.contains(&ss58(&v.hotkey)),
                    "{} listed on {n}: {listed:?}",
                    v.label
                );
            }
            let apys: Vec<f64> = rows.iter().filter_map(|r| r["apy"].as_f64()).collect();
            assert!(
                apys.windows(2).all(|p| p[0] >= p[1]),
                "sorted by APY: {apys:?}"
            );
            for r in rows {
                let hotkey = AccountId::from_ss58(r["hotkey"].as_str().unwrap())
                    .unwrap()
                    .0;
                assert_eq!(
                    u128::from(r["take"].as_u64().unwrap()),
                    read_or_default(&api, "Delegates", (hotkey,)).await
                );
                assert_eq!(
                    u128::from(r["total_stake"].as_u64().unwrap()),
                    sub_num(&api, "TotalHotkeyAlpha", (hotkey, n)).await
                );
                match (
                    r["epoch_rate"].as_f64(),
                    expected_rate(&api, hotkey, n).await,
                ) {
                    (Some(got), Some(want)) => {
                        assert!(close(got, want), "epoch rate on {n}: {got} vs {want}")
                    }
                    (None, None) => {}
                    (got, want) => panic!("epoch rate on {n}: {got:?} vs {want:?}"),
                }
                match (r["apy"].as_f64(), expected_apy(&api, hotkey, n).await) {
                    (Some(got), Some(want)) => {
                        assert!(close(got, want), "APY on {n}: {got} vs {want}")
                    }
                    (None, None) => {}
                    (got, want) => panic!("APY on {n}: {got:?} vs {want:?}"),
                }
                if let Some(v) = w.validators.iter().find(|v| v.hotkey == hotkey)
                    && let Some(name) = &v.identity
                {
                    assert_eq!(
                        r["name"].as_str(),
                        Some(name.as_str()),
                        "identity of {}",
                        v.label
                    );
                }
            }
        }
        let root = json(&[
            "--network",
            shared.ws_url(),
            "--json",
            "validators",
            "--netuid",
            "0",
        ]);
        for v in w.validators.iter().filter(|v| v.on_root) {
            assert!(
                root.as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r["hotkey"] == ss58(&v.hotkey).as_str()),
                "{} on root",
                v.label
            );
        }
    });
}

#[test]
fn overview_json_matches_storage() {
    let Some(shared) = shared() else { return };
    let out = json(&["--network", shared.ws_url(), "--json", "overview"]);
    shared.block_on(async {
        let (api, _) = world::connect(shared.ws_url()).await;
        let block = read(&api, "System", "Number", ())
            .await
            .map_or(0, |v| number(&v));
        assert_eq!(u128::from(out["block"].as_u64().unwrap()), block);
        let now = read(&api, "Timestamp", "Now", ())
            .await
            .map_or(0, |v| number(&v));
        assert_eq!(u128::from(out["timestamp_ms"].as_u64().unwrap()), now);
        let counter = sub_num(&api, "TotalIssuance", ()).await;
        let balances = read(&api, "Balances", "TotalIssuance", ())
            .await
            .map_or(0, |v| number(&v));
        let stake = sub_num(&api, "TotalStake", ()).await;
        assert_eq!(u128::from(out["total_stake"].as_u64().unwrap()), stake);
        assert!(stake > 0, "the seeded world has stake");
        // The dev genesis never ran the migration that seeds Subtensor's counter, so it holds emissions only and
        // sits below the stake; the issuance is then what that migration computes (balances + stake).
        eprintln!("SubtensorModule.TotalIssuance {counter}, Balances.TotalIssuance {balances}, TotalStake {stake}");
        let issuance = if counter >= stake && counter > 0 {
            counter
        } else {
            balances + stake
        };
        assert_eq!(
            u128::from(out["total_issuance"].as_u64().unwrap()),
            issuance
        );
        assert!(issuance >= stake, "issuance {issuance} below the stake {stake}");
        let bps = u128::from(out["staked_bps"].as_u64().unwrap());
        assert_eq!(bps, stake * 10_000 / issuance);
        assert!(bps <= 10_000, "staked share above 100 %: {bps} bps");
        assert_eq!(
            u128::from(out["subnets"].as_u64().unwrap()),
            sub_num(&api, "TotalNetworks", ()).await
        );
        let emission = sub_num(&api, "BlockEmission", ()).await;
        assert_eq!(
            u128::from(out["block_emission"].as_u64().unwrap()),
            emission
        );
        let h = &out["next_halving"];
        assert_eq!(
            h["threshold"].as_u64().unwrap(),
            10_500_000_000_000_000,
            "far below the first halving"
        );
        let blocks = (10_500_000_000_000_000u128 - issuance).div_ceil(emission);
        assert_eq!(u128::from(h["blocks"].as_u64().unwrap()), blocks);
        assert_eq!(u128::from(h["block"].as_u64().unwrap()), block + blocks);
        assert_eq!(
            u128::from(h["timestamp_ms"].as_u64().unwrap()),
            now + blocks * 12_000
        );
    });
}

#[test]
fn stake_list_human_output_has_the_columns_and_positions() {
    let Some(shared) = shared() else { return };
    let out = taotui(&[
        "--network",
        shared.ws_url(),
        "stake",
        "list",
        "--ss58",
        &shared.world.nominator.ss58,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("coldkey {}", shared.world.nominator.ss58));
    assert_eq!(
        lines[2].split_whitespace().collect::<Vec<_>>().join(" "),
        "netuid subnet hotkey validator alpha value (τ, rounded down) share APY (α) daily (α)"
    );
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
            .count(),
        shared
            .world
            .positions
            .iter()
            .map(|p| (p.hotkey, p.netuid))
            .collect::<BTreeSet<_>>()
            .len(),
        "one row per (hotkey, netuid)"
    );
    assert!(text.contains("APY is alpha-denominated"));
}

// Bad input: these need no chain and must fail fast with a sentence.

fn failure(args: &[&str]) -> (String, Duration) {
    let started = Instant::now();
    let out = taotui(args);
    let elapsed = started.elapsed();
    assert!(!out.status.success(), "taotui {args:?} should fail");
    (String::from_utf8_lossy(&out.stderr).into_owned(), elapsed)
}

#[test]
fn bad_ss58_is_rejected_before_connecting() {
    let (err, took) = failure(&[
        "--network",
        "ws://127.0.0.1:9",
        "stake",
        "list",
        "--ss58",
        "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ",
    ]);
    assert!(
        err.contains("not a valid SS58 address") && err.contains("checksum"),
        "{err}"
    );
    assert!(took < Duration::from_secs(5));
    let (err, _) = failure(&[
        "--network",
        "ws://127.0.0.1:9",
        "balance",
        "--ss58",
        "hello",
    ]);
    // --ss58 also takes address-book and wallet names, so a word that is neither says both.
    assert!(
        err.contains("\"hello\" is neither an SS58 address nor a name"),
        "{err}"
    );
}

#[test]
fn unknown_wallet_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (err, _) = failure(&[
        "--network",
        "ws://127.0.0.1:9",
        "--wallet-path",
        dir.path().to_str().unwrap(),
        "stake",
        "list",
        "--wallet-name",
        "nosuch",
    ]);
    assert!(err.contains("nosuch"), "{err}");
    let (err, _) = failure(&["balance"]);
    assert!(
        err.contains("--wallet-name") && err.contains("--ss58"),
        "{err}"
    );
}

#[test]
fn unreachable_network_fails_fast_and_clearly() {
    // Port 9 (discard) is closed on a normal machine: the connection is refused at once.
    let (err, took) = failure(&["--network", "ws://127.0.0.1:9", "overview"]);
    assert!(
        err.contains("cannot reach the chain at ws://127.0.0.1:9"),
        "{err}"
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
    let (err, _) = failure(&["--network", "ftp://example.org", "overview"]);
    assert!(err.contains("is not a network taotui knows"), "{err}");
}

/// Peak RSS (KiB) and wall time of one run, from `/usr/bin/time -v`.
fn measured(program: &str, args: &[&str], env: &[(&str, &str)]) -> Option<(Duration, u64, bool)> {
    let started = Instant::now();
    let mut cmd = Command::new("/usr/bin/time");
    cmd.arg("-v").arg(program).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().ok()?;
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let rss = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())?;
    Some((wall, rss, out.status.success()))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Run by benches/stake_list.sh: seeds the world, then times `taotui stake list` (and btcli when
/// `TAOTUI_BTCLI` names its executable) against the same chain. Prints figures; asserts only that
/// the runs succeeded.
#[test]
#[ignore = "benchmark: run through benches/stake_list.sh"]
fn bench_stake_list() {
    let Some(shared) = shared() else { return };
    let ss58 = shared.world.nominator.ss58.clone();
    let url = shared.ws_url().to_owned();
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let cache = tempfile::tempdir().unwrap();
    let cache_dir = cache.path().to_str().unwrap().to_owned();
    let taotui = env!("CARGO_BIN_EXE_taotui");
    let args = [
        "--network",
        url.as_str(),
        "--json",
        "stake",
        "list",
        "--ss58",
        ss58.as_str(),
    ];
    let env = [("XDG_CACHE_HOME", cache_dir.as_str())];
    // The first run fills the metadata cache; report it separately.
    let (cold, cold_rss, ok) = measured(taotui, &args, &env).expect("/usr/bin/time -v");
    assert!(ok, "taotui stake list failed");
    let mut walls = Vec::new();
    let mut peak = 0;
    for _ in 0..runs {
        let (wall, rss, ok) = measured(taotui, &args, &env).unwrap();
        assert!(ok);
        walls.push(wall);
        peak = peak.max(rss);
    }
    println!(
        "BENCH taotui stake list ({} positions): cold {:.0} ms / {} MiB; warm median {:.0} ms over {runs} runs, peak {} MiB",
        shared.world.positions.len(),
        cold.as_secs_f64() * 1e3,
        cold_rss / 1024,
        median(walls).as_secs_f64() * 1e3,
        peak / 1024
    );
    let Ok(btcli) = std::env::var("TAOTUI_BTCLI") else {
        println!("BENCH btcli: skipped (set TAOTUI_BTCLI to its executable)");
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let home_dir = home.path().to_str().unwrap().to_owned();
    let bt_env = [("HOME", home_dir.as_str())];
    for (label, bt_args) in [
        (
            "stake list",
            vec![
                "stake",
                "list",
                "--ss58",
                ss58.as_str(),
                "--network",
                url.as_str(),
                "--no-prompt",
                "--json-output",
            ],
        ),
        (
            "wallet balance",
            vec![
                "wallet",
                "balance",
                "--ss58",
                ss58.as_str(),
                "--network",
                url.as_str(),
                "--json-output",
            ],
        ),
    ] {
        // btcli exits 0 even when it prints an error, so show what it printed and judge by that.
        let mut printed_error = false;
        if let Ok(out) = Command::new(&btcli).args(&bt_args).envs(bt_env).output() {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let snippet: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            printed_error =
                snippet.is_empty() || snippet.contains('❌') || snippet.contains("Error");
            println!(
                "BENCH btcli {label} output: {}",
                snippet.chars().take(300).collect::<String>()
            );
        }
        let mut walls = Vec::new();
        let mut peak = 0;
        let mut all_ok = true;
        for _ in 0..runs.min(3) {
            match measured(&btcli, &bt_args, &bt_env) {
                Some((wall, rss, ok)) => {
                    walls.push(wall);
                    peak = peak.max(rss);
                    all_ok &= ok;
                }
                None => all_ok = false,
            }
        }
        if walls.is_empty() {
            println!("BENCH btcli {label}: could not run");
            continue;
        }
        println!(
            "BENCH btcli {label}: {} median {:.0} ms, peak {} MiB",
            if all_ok && !printed_error {
                "ok"
            } else {
                "FAILED (error or no output; timing of a failing run)"
            },
            median(walls).as_secs_f64() * 1e3,
            peak / 1024
        );
    }
}

/// The risk labels of `validators --json` (issue 12 §3) against storage read here independently: registration
/// block, age and immunity (`BlockAtRegistration`, `ImmunityPeriod`, the head), permit (`ValidatorPermit` by uid),
/// share of the subnet's stake (`TotalHotkeyAlpha` of every uid's hotkey via `Keys`), identity, and per subnet its
/// age and pool depth (`NetworkRegisteredAt`, `SubnetTAO`) and the standing under spec 293's rule (no pruning).
#[test]
fn validators_risk_labels_match_storage() {
    let Some(shared) = shared() else { return };
    let w = &shared.world;
    shared.block_on(async {
        let (api, rpc) = world::connect(shared.ws_url()).await;
        for n in w.netuids() {
            let before = chain_reads::head_number(&rpc).await;
            let rows = json(&[
                "--network",
                shared.ws_url(),
                "--json",
                "validators",
                "--netuid",
                &n.to_string(),
            ]);
            let after = chain_reads::head_number(&rpc).await;
            let rows = rows.as_array().unwrap();
            assert!(!rows.is_empty(), "validators on {n}");
            let immunity = read_or_default(&api, "ImmunityPeriod", (n,)).await as u64;
            let count = read_or_default(&api, "SubnetworkN", (n,)).await as u16;
            let mut stakes = Vec::new();
            for uid in 0..count {
                let hotkey = chain_reads::account32(
                    &read(&api, "SubtensorModule", "Keys", (n, uid))
                        .await
                        .expect("a hotkey per uid"),
                )
                .unwrap();
                stakes.push(sub_num(&api, "TotalHotkeyAlpha", (hotkey, n)).await);
            }
            let subnet_stake: u128 = stakes.iter().sum();
            let permits =
                chain_reads::read_or_default(&api, "SubtensorModule", "ValidatorPermit", (n,))
                    .await;
            for r in rows {
                let uid = r["uid"].as_u64().unwrap() as u16;
                let registered = read_or_default(&api, "BlockAtRegistration", (n, uid)).await as u64;
                assert_eq!(r["registered_at_block"].as_u64(), Some(registered));
                let age = r["registration_age_blocks"].as_u64().unwrap();
                assert!(
                    (before - registered..=after - registered).contains(&age),
                    "age of uid {uid} on {n}: {age}, head {before}..{after}, registered {registered}"
                );
                assert_eq!(r["registration_age_days"].as_u64(), Some(age / 7_200));
                assert_eq!(
                    r["in_immunity"].as_bool(),
                    Some(age < immunity),
                    "immunity of uid {uid} on {n} (period {immunity})"
                );
                let permit = permits
                    .at(usize::from(uid))
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false);
                assert_eq!(r["validator_permit"].as_bool(), Some(permit), "uid {uid}");
                let share = stakes[usize::from(uid)] * 10_000 / subnet_stake.max(1);
                assert_eq!(
                    r["stake_share_bps"].as_u64().map(u128::from),
                    (subnet_stake > 0).then_some(share),
                    "share of uid {uid} on {n}"
                );
                assert_eq!(r["identity_set"].as_bool(), Some(!r["name"].is_null()));
                let s = &r["subnet"];
                let registered_at = read_or_default(&api, "NetworkRegisteredAt", (n,)).await;
                assert_eq!(
                    s["registered_at_block"].as_u64().map(u128::from),
                    Some(registered_at)
                );
                assert_eq!(
                    s["pool_tao"].as_u64().map(u128::from),
                    Some(sub_num(&api, "SubnetTAO", (n,)).await)
                );
                // Spec 293 registers new subnets on free netuids and never prunes one.
                assert_eq!(s["deregistration"]["standing"], "not_pruned");
                assert_eq!(s["deregistration"]["at_risk"], false);
            }
        }
        // The library read behind `stake add`'s flags: a registered validator's permit is its storage flag, a
        // hotkey with no uid on the subnet is named as such.
        let client = chain_reads::taotui_client(shared.ws_url()).await;
        let v = &w.validators[0];
        let n = v.netuids[0];
        let (permit, subnet) = queries::stake_target_risk(&client, n, AccountId(v.hotkey))
            .await
            .unwrap();
        let uid = read(&api, "SubtensorModule", "Uids", (n, v.hotkey))
            .await
            .map(|u| number(&u) as usize)
            .unwrap();
        let stored = chain_reads::read_or_default(&api, "SubtensorModule", "ValidatorPermit", (n,))
            .await
            .at(uid)
            .and_then(|b| b.as_bool())
            .unwrap();
        assert_eq!(permit, taotui::risk::Permit::from(stored));
        assert_eq!(subnet.unwrap().dereg, taotui::risk::DeregStanding::NotPruned);
        let stranger = AccountId(world::account("//NeverRegistered"));
        let (permit, _) = queries::stake_target_risk(&client, n, stranger).await.unwrap();
        assert_eq!(permit, taotui::risk::Permit::NotRegistered);
    });
}
