//! The write side against the real spec-293 runtime (chopsticks): each action is previewed, signed, sent and its
//! effect on chain compared with the preview; refusals and chain errors are checked; the signed bytes are decoded by
//! an independent decoder (@polkadot/api, tests/chain/decode_extrinsic.mjs).
//!
//! Every test uses its own freshly funded coldkey, so the tests share one seeded world without interfering.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

#[allow(unused_imports)]
use common::local_chain_or_skip as _;

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use common::world::{self, Shared, TAO};
use subxt::dynamic::Value;
use taotui::amount::{AlphaRao, Rao, Tolerance};
use taotui::chain::client::{ChainClient, ConnectOptions};
use taotui::chain::extrinsics::{
    self, Action, AlphaAmount, ExtrinsicError, Prepared, SendOptions, StakeMode,
};
use taotui::chain::history::{History, TxStatus};
use taotui::chain::network::Network;
use taotui::chain::signer::KeypairSigner;
use taotui::chain::tx::{self, SubmitOptions, TxError};
use taotui_keystore::derive::CryptoType;

fn shared() -> Option<&'static Shared> {
    world::shared_or_skip()
}

/// chopsticks (instant mode) mishandles transactions submitted at the same moment from several connections
/// ("invalid type: map, expected unit" from the watch), so the tests take turns on the shared chain.
static CHAIN_TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A fresh coldkey for one test, funded by //Alice.
async fn funded(s: &Shared, amount: u64) -> KeypairSigner {
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let signer = world::signer(&format!("//WriteTest{}//{n}", std::process::id()));
    let (api, rpc) = world::connect(s.ws_url()).await;
    let call = tx::call(
        "Balances",
        "transfer_keep_alive",
        [
            Value::unnamed_variant("Id", [tx::account_arg(signer.public_key())]),
            Value::u128(u128::from(amount)),
        ],
    );
    let opts = SubmitOptions {
        wait_for_finalized: false,
        ..SubmitOptions::default()
    };
    tx::submit(&api, &rpc, &world::signer("//Alice"), &call, &opts)
        .await
        .expect("funding transfer");
    signer
}

async fn client(s: &Shared) -> ChainClient {
    let network: Network = s.ws_url().parse().unwrap();
    ChainClient::connect(
        &network,
        ConnectOptions {
            watch_runtime_upgrades: false,
            ..ConnectOptions::default()
        },
    )
    .await
    .unwrap()
}

fn opts() -> SendOptions {
    SendOptions::default()
}

async fn prepare(c: &ChainClient, who: &KeypairSigner, action: Action) -> Prepared {
    extrinsics::prepare(c, who.public_key(), CryptoType::Sr25519, action)
        .await
        .unwrap()
}

/// The alpha a coldkey holds with a hotkey on a subnet, from the runtime API.
async fn alpha(c: &ChainClient, coldkey: [u8; 32], hotkey: [u8; 32], netuid: u16) -> u64 {
    let view = extrinsics::chain_view(
        c,
        coldkey,
        &Action::RemoveStake {
            hotkey,
            netuid,
            amount: AlphaAmount::All,
            mode: StakeMode::Unsafe,
        },
    )
    .await
    .unwrap();
    view.positions.get(&(hotkey, netuid)).map_or(0, |a| a.get())
}

async fn free(c: &ChainClient, coldkey: [u8; 32]) -> u64 {
    let view = extrinsics::chain_view(
        c,
        coldkey,
        &Action::Transfer {
            dest: coldkey,
            amount: Rao(0),
        },
    )
    .await
    .unwrap();
    view.spendable.get()
}

/// Decodes `bytes` with @polkadot/api against the chain's own metadata; `None` (after a SKIPPED line) where the
/// node modules are missing (a failure under CI).
fn decode_independently(ws_url: &str, bytes: &[u8]) -> Option<serde_json::Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/chain");
    if !dir.join("node_modules/@polkadot/api").exists() {
        let reason = "tests/chain/node_modules is missing; run `npm ci --prefix tests/chain`";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{reason}");
        }
        eprintln!("SKIPPED: independent decode: {reason}");
        return None;
    }
    let out = Command::new("node")
        .arg(dir.join("decode_extrinsic.mjs"))
        .arg(ws_url)
        .arg(format!("0x{}", hex::encode(bytes)))
        .output()
        .expect("running node");
    assert!(
        out.status.success(),
        "decoder failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("decoder JSON"))
}

#[test]
fn stake_add_then_remove_matches_the_preview() {
    let Some(s) = shared() else { return };
    let bob_v1 = s.world.validator("bob-v1").hotkey;
    let netuid = s.world.netuids()[0];
    s.block_on(async {
        let _turn = CHAIN_TURN.lock().await;
        let c = client(s).await;
        let who = funded(s, 100 * TAO).await;
        let free_before = free(&c, who.public_key()).await;
        let alpha_before = alpha(&c, who.public_key(), bob_v1, netuid).await;
        assert_eq!(alpha_before, 0);

        let dir = tempfile::tempdir().unwrap();
        let history = History::at(dir.path());
        let before = c.request_count();
        let p = prepare(
            &c,
            &who,
            Action::AddStake {
                hotkey: bob_v1,
                netuid,
                amount: Rao(TAO),
                mode: StakeMode::default(),
            },
        )
        .await;
        let preview_requests = c.request_count() - before;
        assert!(p.preview.is_allowed(), "{:?}", p.preview.refusals);
        assert_eq!(p.preview.call.name, "add_stake_limit");
        // Staking calls may be fee-free on this runtime; the exact balance check below holds the
        // preview's fee to what the chain charged either way.
        let t = Instant::now();
        let sent = extrinsics::send(&c, &p, &who, Some(&history), &opts())
            .await
            .unwrap();
        let to_in_block = t.elapsed();
        assert!(sent.events.iter().any(|e| e.is("SubtensorModule", "StakeAdded")));

        let free_after = free(&c, who.public_key()).await;
        let alpha_after = alpha(&c, who.public_key(), bob_v1, netuid).await;
        let spent = free_before - free_after;
        // The balance paid the amount and the fee (the fee estimate is exact for the same length and weight).
        assert_eq!(spent, TAO + p.preview.fee.get(), "spent {spent}");
        let expected = p.preview.alpha_received.get();
        let diff = alpha_after.abs_diff(expected);
        assert!(
            diff * 10_000 <= expected * u64::from(Tolerance::DEFAULT.bps()),
            "alpha {alpha_after} vs preview {expected}"
        );
        eprintln!(
            "MEASURE stake add: preview {preview_requests} requests, send {} requests, confirmation->in block {:?}, alpha {alpha_after} vs preview {expected} ({:?})",
            sent.requests, to_in_block, p.preview.quote
        );
        let txs = history.transactions().unwrap();
        assert_eq!(txs.len(), 1);
        assert_eq!(txs[0].status, TxStatus::InBlock);
        assert_eq!(txs[0].hash, extrinsics::send::hex(&sent.extrinsic_hash));

        // Remove half of it, in alpha.
        let half = AlphaRao(alpha_after / 2);
        let p = prepare(
            &c,
            &who,
            Action::RemoveStake {
                hotkey: bob_v1,
                netuid,
                amount: AlphaAmount::Alpha(half),
                mode: StakeMode::default(),
            },
        )
        .await;
        assert!(p.preview.is_allowed(), "{:?}", p.preview.refusals);
        assert_eq!(p.preview.call.name, "remove_stake_limit");
        let free_before = free(&c, who.public_key()).await;
        let sent = extrinsics::send(&c, &p, &who, Some(&history), &opts())
            .await
            .unwrap();
        assert!(sent.events.iter().any(|e| e.is("SubtensorModule", "StakeRemoved")));
        let got = free(&c, who.public_key()).await + p.preview.fee.get() - free_before;
        let expected = p.preview.tao_received.get();
        assert!(
            got.abs_diff(expected) * 10_000 <= expected * 50,
            "received {got} vs preview {expected}"
        );
        let left = alpha(&c, who.public_key(), bob_v1, netuid).await;
        // Alpha storage holds shares; converting shares to an amount rounds, so allow 1 rao.
        assert!(
            left.abs_diff(alpha_after - half.get()) <= 1,
            "left {left} vs {}",
            alpha_after - half.get()
        );

        // Then the rest with --all (plain call).
        let p = prepare(
            &c,
            &who,
            Action::RemoveStake {
                hotkey: bob_v1,
                netuid,
                amount: AlphaAmount::All,
                mode: StakeMode::Unsafe,
            },
        )
        .await;
        assert_eq!(p.preview.call.name, "remove_stake");
        assert_eq!(p.preview.alpha_sold.get(), left);
        extrinsics::send(&c, &p, &who, Some(&history), &opts())
            .await
            .unwrap();
        assert_eq!(alpha(&c, who.public_key(), bob_v1, netuid).await, 0);
        assert_eq!(history.transactions().unwrap().len(), 3);
    });
}

#[test]
fn transfer_and_transfer_all() {
    let Some(s) = shared() else { return };
    s.block_on(async {
        let _turn = CHAIN_TURN.lock().await;
        let c = client(s).await;
        let who = funded(s, 50 * TAO).await;
        let dest = world::signer(&format!("//WriteDest{}", std::process::id())).public_key();
        let p = prepare(
            &c,
            &who,
            Action::Transfer {
                dest,
                amount: Rao(7 * TAO),
            },
        )
        .await;
        assert!(p.preview.is_allowed(), "{:?}", p.preview.refusals);
        let before = free(&c, who.public_key()).await;
        let sent = extrinsics::send(&c, &p, &who, None, &opts()).await.unwrap();
        assert!(sent.events.iter().any(|e| e.is("Balances", "Transfer")));
        assert_eq!(free(&c, dest).await, 7 * TAO);
        assert_eq!(
            before - free(&c, who.public_key()).await,
            7 * TAO + p.preview.fee.get()
        );

        // Everything but the existential deposit.
        let p = prepare(&c, &who, Action::TransferAll { dest }).await;
        assert!(p.preview.is_allowed(), "{:?}", p.preview.refusals);
        extrinsics::send(&c, &p, &who, None, &opts()).await.unwrap();
        let left = free(&c, who.public_key()).await;
        assert_eq!(
            left,
            p.view.existential_deposit.get(),
            "keep-alive leaves exactly the ED"
        );

        // Now the balance cannot cover anything: the preview refuses with a sentence.
        let p = prepare(
            &c,
            &who,
            Action::Transfer {
                dest,
                amount: Rao(TAO),
            },
        )
        .await;
        assert_eq!(p.preview.refusals[0].code, "insufficient_balance");
    });
}

#[test]
fn signed_bytes_decode_to_the_intended_call_independently() {
    let Some(s) = shared() else { return };
    let hotkey = s.world.validator("charlie-v1").hotkey;
    let netuid = s.world.netuids()[1];
    s.block_on(async {
        let _turn = CHAIN_TURN.lock().await;
        let c = client(s).await;
        let who = world::signer("//DecodeOnly");
        let p = prepare(
            &c,
            &who,
            Action::AddStake {
                hotkey,
                netuid,
                amount: Rao(3 * TAO),
                mode: StakeMode::Limit {
                    tolerance: Tolerance::from_bps(120).unwrap(),
                    allow_partial: true,
                },
            },
        )
        .await;
        let (bytes, _) = extrinsics::build_extrinsic(
            &p_at(&p),
            &p.preview.call,
            who.public_key(),
            0,
            extrinsics::fetch::Either::Signer(&who),
        )
        .unwrap();
        let Some(decoded) = decode_independently(s.ws_url(), &bytes) else {
            return;
        };
        assert_eq!(decoded["section"], "subtensorModule");
        assert_eq!(decoded["method"], "addStakeLimit");
        assert_eq!(decoded["signer"], who.ss58());
        assert_eq!(decoded["isSigned"], true);
        let args = &decoded["args"];
        assert_eq!(args["hotkey"], taotui_keystore::ss58::encode(&hotkey, 42));
        assert_eq!(
            args["netuid"].to_string().trim_matches('"'),
            netuid.to_string()
        );
        assert_eq!(
            args["amountStaked"].to_string().trim_matches('"'),
            (3 * TAO).to_string()
        );
        assert_eq!(
            args["limitPrice"].to_string().trim_matches('"'),
            p.preview.limit_price.unwrap().to_string()
        );
        assert_eq!(args["allowPartial"], true);
        assert_eq!(decoded["era"]["period"], 64);

        let dest = world::account("//Bob");
        let p = prepare(
            &c,
            &who,
            Action::Transfer {
                dest,
                amount: Rao(TAO),
            },
        )
        .await;
        let (bytes, _) = extrinsics::build_extrinsic(
            &p_at(&p),
            &p.preview.call,
            who.public_key(),
            0,
            extrinsics::fetch::Either::Signer(&who),
        )
        .unwrap();
        let decoded = decode_independently(s.ws_url(), &bytes).unwrap();
        assert_eq!(decoded["section"], "balances");
        assert_eq!(decoded["method"], "transferKeepAlive");
        assert_eq!(
            decoded["args"]["dest"]["id"],
            taotui_keystore::ss58::encode(&dest, 42)
        );
        assert_eq!(
            decoded["args"]["value"].to_string().trim_matches('"'),
            TAO.to_string()
        );
    });
}

fn p_at(p: &Prepared) -> extrinsics::fetch::AtBlock {
    p.at_block().clone()
}

#[test]
fn refusals_and_chain_errors() {
    let Some(s) = shared() else { return };
    let bob_v1 = s.world.validator("bob-v1").hotkey;
    let netuid = s.world.netuids()[0];
    s.block_on(async {
        let _turn = CHAIN_TURN.lock().await;
        let c = client(s).await;
        let who = funded(s, 20 * TAO).await;
        let stake = |hotkey, netuid, amount| Action::AddStake {
            hotkey,
            netuid,
            amount: Rao(amount),
            mode: StakeMode::Unsafe,
        };
        let code = |p: &Prepared| p.preview.refusals.iter().map(|r| r.code).collect::<Vec<_>>();
        // Insufficient balance.
        let p = prepare(&c, &who, stake(bob_v1, netuid, 30 * TAO)).await;
        assert_eq!(code(&p), ["insufficient_balance"]);
        // Below minimum stake.
        let p = prepare(&c, &who, stake(bob_v1, netuid, 1_000)).await;
        assert_eq!(code(&p), ["below_min_stake"]);
        // The chain agrees when sent anyway (the preview refusal is advice; the runtime is the judge).
        let err = extrinsics::send(&c, &p, &who, None, &opts()).await.unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(&err, ExtrinsicError::Tx(TxError::Invalid(r)) if r.custom_name == Some("StakeAmountTooLow"))
                || matches!(&err, ExtrinsicError::Tx(TxError::Dispatch { error, .. }) if error.variant == "AmountTooLow"),
            "{text}"
        );
        // Unknown hotkey.
        let p = prepare(&c, &who, stake([0x42; 32], netuid, TAO)).await;
        assert_eq!(code(&p), ["unknown_hotkey"]);
        let err = extrinsics::send(&c, &p, &who, None, &opts()).await.unwrap_err();
        assert!(err.to_string().to_lowercase().contains("hotkey"), "{err}");
        // Netuid 1: in genesis, never started.
        let owner1 = [0u8; 32];
        let p = prepare(&c, &who, stake(bob_v1, 1, TAO)).await;
        assert!(code(&p).contains(&"subtoken_disabled"), "{:?}", code(&p));
        let _ = owner1;
        // A subnet that does not exist.
        let p = prepare(&c, &who, stake(bob_v1, 77, TAO)).await;
        assert!(code(&p).contains(&"subnet_missing"), "{:?}", code(&p));
    });
}

#[test]
fn limit_stake_refuses_when_the_price_moves_and_fills_partially_when_allowed() {
    let Some(s) = shared() else { return };
    let hotkey = s.world.validator("charlie-v1").hotkey;
    let netuid = s.world.netuids()[2];
    s.block_on(async {
        let _turn = CHAIN_TURN.lock().await;
        let c = client(s).await;
        let who = funded(s, 100 * TAO).await;
        let whale = funded(s, 5_000 * TAO).await;
        let strict = StakeMode::Limit {
            tolerance: Tolerance::from_bps(50).unwrap(),
            allow_partial: false,
        };
        let p = prepare(
            &c,
            &who,
            Action::AddStake {
                hotkey,
                netuid,
                amount: Rao(TAO),
                mode: strict,
            },
        )
        .await;
        assert!(p.preview.is_allowed(), "{:?}", p.preview.refusals);
        // Between preview and submit, a large stake from another account moves the price up.
        let w = prepare(
            &c,
            &whale,
            Action::AddStake {
                hotkey,
                netuid,
                amount: Rao(2_000 * TAO),
                mode: StakeMode::Unsafe,
            },
        )
        .await;
        extrinsics::send(&c, &w, &whale, None, &opts())
            .await
            .unwrap();
        let err = extrinsics::send(&c, &p, &who, None, &opts())
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("SlippageTooHigh")
                || text.contains("ZeroMaxAmount")
                || text.contains("price"),
            "{text}"
        );
        assert_eq!(alpha(&c, who.public_key(), hotkey, netuid).await, 0);

        // With partial allowed, a limit just above the new price fills part of a large order.
        let partial = StakeMode::Limit {
            tolerance: Tolerance::from_bps(50).unwrap(),
            allow_partial: true,
        };
        let p = prepare(
            &c,
            &who,
            Action::AddStake {
                hotkey,
                netuid,
                amount: Rao(90 * TAO),
                mode: partial,
            },
        )
        .await;
        let before = free(&c, who.public_key()).await;
        extrinsics::send(&c, &p, &who, None, &opts()).await.unwrap();
        let spent = before - free(&c, who.public_key()).await - p.preview.fee.get();
        assert!(spent > 0 && spent < 90 * TAO, "spent {spent}");
        assert!(alpha(&c, who.public_key(), hotkey, netuid).await > 0);
    });
}

#[test]
fn a_lost_watch_is_recovered_from_the_blocks_without_resubmitting() {
    let Some(s) = shared() else { return };
    s.block_on(async {
        let _turn = CHAIN_TURN.lock().await;
        let c = client(s).await;
        let who = funded(s, 10 * TAO).await;
        let p = prepare(
            &c,
            &who,
            Action::Transfer {
                dest: world::account("//Bob"),
                amount: Rao(TAO),
            },
        )
        .await;
        let sent = extrinsics::send(&c, &p, &who, None, &opts()).await.unwrap();
        // What the recovery path does after a reconnect: find the hash in the blocks since the era's birth.
        let found = extrinsics::find_in_blocks(&c, p.birth_block, sent.extrinsic_hash)
            .await
            .unwrap();
        assert_eq!(found, Some((sent.block_hash, sent.block_number)));
        let missing = extrinsics::find_in_blocks(&c, p.birth_block, [9; 32])
            .await
            .unwrap();
        assert_eq!(missing, None);
    });
}

/// Runs the taotui binary against the shared chain with private wallet, data and cache folders.
fn taotui(home: &Path, s: &Shared, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_taotui"))
        .args(args)
        .arg("--network")
        .arg(s.ws_url())
        .arg("--wallet-path")
        .arg(home.join("wallets"))
        .env("TAOTUI_DATA_DIR", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env_remove("TAOTUI_NETWORK")
        .env_remove("TAOTUI_PASSWORD_FILE")
        .output()
        .expect("running taotui")
}

#[test]
fn cli_stake_add_remove_transfer_and_history() {
    let Some(s) = shared() else { return };
    let bob_v1 = taotui_keystore::ss58::encode(&s.world.validator("bob-v1").hotkey, 42);
    let netuid = s.world.netuids()[0].to_string();
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let pw = home.join("pw");
    std::fs::write(&pw, "correct horse battery staple 42\n").unwrap();
    let bad_pw = home.join("bad");
    std::fs::write(&bad_pw, "not the password at all 42\n").unwrap();
    let suri = format!("//CliWrite{}", std::process::id());
    s.block_on(async {
        let _turn = CHAIN_TURN.lock().await;
        // Fund the CLI's coldkey.
        let (api, rpc) = world::connect(s.ws_url()).await;
        let call = tx::call(
            "Balances",
            "transfer_keep_alive",
            [
                Value::unnamed_variant("Id", [tx::account_arg(world::account(&suri))]),
                Value::u128(u128::from(100 * TAO)),
            ],
        );
        let o = SubmitOptions {
            wait_for_finalized: false,
            ..SubmitOptions::default()
        };
        tx::submit(&api, &rpc, &world::signer("//Alice"), &call, &o)
            .await
            .unwrap();
        let pwp = pw.to_str().unwrap();
        let ok = |args: &[&str]| {
            let out = taotui(home, s, args);
            assert!(
                out.status.success(),
                "{args:?}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        ok(&[
            "wallet",
            "regen-coldkey",
            "-w",
            "cli",
            "--uri",
            &suri,
            "--password-file",
            pwp,
            "--allow-weak-password",
        ]);
        // Wrong password: refused after the preview, nothing sent.
        let out = taotui(
            home,
            s,
            &[
                "stake",
                "add",
                "-w",
                "cli",
                "--hotkey",
                &bob_v1,
                "--netuid",
                &netuid,
                "--amount",
                "1",
                "-y",
                "--password-file",
                bad_pw.to_str().unwrap(),
            ],
        );
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("unlock") || err.contains("password"), "{err}");
        // Bad SS58.
        let out = taotui(
            home,
            s,
            &[
                "transfer",
                "-w",
                "cli",
                "--dest",
                "5NotAnAddress",
                "--amount",
                "1",
                "-y",
                "--password-file",
                pwp,
            ],
        );
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("SS58"));

        let json = ok(&[
            "stake",
            "add",
            "-w",
            "cli",
            "--hotkey",
            &bob_v1,
            "--netuid",
            &netuid,
            "--amount",
            "1",
            "-y",
            "--password-file",
            pwp,
            "--json",
        ]);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["submitted"], true);
        assert_eq!(v["preview"]["call"]["name"], "add_stake_limit");
        assert!(
            v["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e == "SubtensorModule.StakeAdded")
        );
        eprintln!(
            "MEASURE cli stake add: {} ms confirmation->in block, requests preview {} + send {}",
            v["time_to_in_block_ms"], v["requests_preview"], v["requests_send"]
        );
        let text = ok(&[
            "stake",
            "remove",
            "-w",
            "cli",
            "--hotkey",
            &bob_v1,
            "--netuid",
            &netuid,
            "--all",
            "-y",
            "--password-file",
            pwp,
        ]);
        assert!(text.contains("remove_stake_limit in block"), "{text}");
        let bob = taotui_keystore::ss58::encode(&world::account("//Bob"), 42);
        let text = ok(&[
            "transfer",
            "-w",
            "cli",
            "--dest",
            &bob,
            "--amount",
            "1.5",
            "-y",
            "--password-file",
            pwp,
        ]);
        assert!(
            text.contains("Balances.transfer_keep_alive in block"),
            "{text}"
        );
        let hist = ok(&["history", "--json"]);
        let h: serde_json::Value = serde_json::from_str(&hist).unwrap();
        let calls: Vec<&str> = h
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["call"].as_str().unwrap())
            .collect();
        assert_eq!(
            calls,
            [
                "SubtensorModule.add_stake_limit",
                "SubtensorModule.remove_stake_limit",
                "Balances.transfer_keep_alive"
            ]
        );
        assert!(
            h.as_array()
                .unwrap()
                .iter()
                .all(|r| r["status"] == "finalized"),
            "the CLI tracks every transaction to finality: {h}"
        );
    });
}
