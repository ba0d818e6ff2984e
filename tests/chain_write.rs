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

use common::chain_reads::{self, Ev};
use common::world::{self, Shared, TAO};
use subxt::dynamic::At;
use taotui::amount::{AlphaRao, Rao, Tolerance};
use taotui::chain::client::ChainClient;
use taotui::chain::extrinsics::{
    self, Action, AlphaAmount, ExtrinsicError, Prepared, SendOptions, StakeMode,
};
use taotui::chain::history::{History, TxStatus};
use taotui::chain::signer::KeypairSigner;
use taotui::chain::tx::TxError;
use taotui_keystore::derive::CryptoType;

fn shared() -> Option<&'static Shared> {
    world::shared_or_skip()
}

/// chopsticks (instant mode) mishandles transactions submitted at the same moment from several connections
/// ("invalid type: map, expected unit" from the watch), so the tests take turns on the shared chain.
static CHAIN_TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

static NEXT: AtomicU32 = AtomicU32::new(0);

/// //Alice sends `amount` to `account`.
async fn fund_account(s: &Shared, account: [u8; 32], amount: u64) {
    let (api, rpc) = world::connect(s.ws_url()).await;
    world::fund_from_alice(&api, &rpc, account, amount).await;
}

/// A fresh coldkey for one test, funded by //Alice.
async fn funded(s: &Shared, amount: u64) -> KeypairSigner {
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let signer = world::signer(&format!("//WriteTest{}//{n}", std::process::id()));
    fund_account(s, signer.public_key(), amount).await;
    signer
}

async fn client(s: &Shared) -> ChainClient {
    chain_reads::taotui_client(s.ws_url()).await
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
    chain_reads::alpha_of(c, coldkey, hotkey, netuid).await
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

        // Then the rest with --all (no limit): spec 293 has remove_stake_full_limit, which unstakes the position
        // as it is when the call runs, with no amount in the call.
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
        assert_eq!(p.preview.call.name, "remove_stake_full_limit");
        assert_eq!(
            p.preview.call.arg("limit_price"),
            Some(extrinsics::ArgValue::OptionU64(None))
        );
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
        fund_account(s, world::account(&suri), 100 * TAO).await;
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
        let suri_file = home.join("suri");
        std::fs::write(&suri_file, format!("{suri}\n")).unwrap();
        ok(&[
            "wallet",
            "regen-coldkey",
            "-w",
            "cli",
            "--secret-file",
            suri_file.to_str().unwrap(),
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
        // Risk flags (issue 12 §3): each is also a preview warning; spec 293 never prunes a subnet, and bob-v1 is
        // registered on the subnet.
        let risk = v["risk"].as_array().expect("a risk array");
        let warnings = v["preview"]["warnings"].as_array().unwrap();
        for flag in risk {
            assert!(
                warnings.contains(&flag["sentence"]),
                "{flag} among {warnings:?}"
            );
            assert_ne!(flag["code"], "subnet_deregistration_risk");
            assert_ne!(flag["code"], "not_registered");
        }
        // Spec 293 has no MevShield: the preview says so and the call goes in the clear.
        assert_eq!(v["shielded"], false);
        assert_eq!(
            v["mev_shield"],
            "not shielded: this runtime has no MevShield"
        );
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
        // Give a little of it to another coldkey (transfer_stake), then unstake the rest: the whole position as it
        // is when the call runs (remove_stake_full_limit, which spec 293 has).
        let friend = taotui_keystore::ss58::encode(&world::account("//CliFriend"), 42);
        let text = ok(&[
            "stake",
            "transfer",
            "-w",
            "cli",
            "--hotkey",
            &bob_v1,
            "--netuid",
            &netuid,
            "--dest",
            &friend,
            "--amount",
            "0.5",
            "-y",
            "--password-file",
            pwp,
        ]);
        assert!(
            text.contains("SubtensorModule.transfer_stake in block"),
            "{text}"
        );
        assert!(text.contains("StakeTransferred"), "{text}");
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
        assert!(text.contains("remove_stake_full_limit in block"), "{text}");
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
                "SubtensorModule.transfer_stake",
                "SubtensorModule.remove_stake_full_limit",
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

// ---------------------------------------------------------------------------------------------------------------
// Move, swap and unstake-all: amounts from the extrinsic's own events and from reads at the parent and inclusion
// blocks, with the chain first stepped past the subnets' epochs so no dividends land in between.

/// A plain `add_stake` of `tao` by `who`, sent through taotui.
async fn stake_plain(
    c: &ChainClient,
    who: &KeypairSigner,
    hotkey: [u8; 32],
    netuid: u16,
    tao: u64,
) {
    let p = prepare(
        c,
        who,
        Action::AddStake {
            hotkey,
            netuid,
            amount: Rao(tao),
            mode: StakeMode::Unsafe,
        },
    )
    .await;
    assert!(p.preview.is_allowed(), "{:?}", p.preview.refusals);
    extrinsics::send(c, &p, who, None, &opts()).await.unwrap();
}

/// The exact bytes that landed in the block for `sent` (found by hash in the block body).
async fn landed_bytes(c: &ChainClient, sent: &extrinsics::Sent) -> Vec<u8> {
    use blake2::Digest;
    let block: serde_json::Value = c
        .rpc()
        .request(
            "chain_getBlock",
            subxt::rpcs::rpc_params![extrinsics::send::hex(&sent.block_hash)],
        )
        .await
        .unwrap();
    block["block"]["extrinsics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| hex::decode(x.as_str().unwrap().trim_start_matches("0x")).unwrap())
        .find(|b| {
            let mut h = blake2::Blake2b::<blake2::digest::consts::U32>::new();
            h.update(b);
            <[u8; 32]>::from(h.finalize()) == sent.extrinsic_hash
        })
        .expect("the sent extrinsic is in its block")
}

fn arg_text(v: &serde_json::Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// Decodes the landed bytes with @polkadot/api and checks the call and its arguments (camelCase names).
async fn check_decoded(
    s: &Shared,
    c: &ChainClient,
    sent: &extrinsics::Sent,
    who: &KeypairSigner,
    method: &str,
    args: &[(&str, String)],
) {
    let bytes = landed_bytes(c, sent).await;
    let Some(d) = decode_independently(s.ws_url(), &bytes) else {
        return;
    };
    assert_eq!(d["section"], "subtensorModule", "{d}");
    assert_eq!(d["method"], method, "{d}");
    assert_eq!(d["signer"], who.ss58(), "{d}");
    for (name, want) in args {
        assert_eq!(&arg_text(&d["args"][*name]), want, "argument {name} of {d}");
    }
}

fn ss58(k: &[u8; 32]) -> String {
    taotui_keystore::ss58::encode(k, 42)
}

fn one<'a>(events: &'a [Ev], variant: &str) -> &'a Ev {
    let found: Vec<&Ev> = events
        .iter()
        .filter(|e| e.is("SubtensorModule", variant))
        .collect();
    assert_eq!(found.len(), 1, "one {variant} expected in {events:?}");
    found[0]
}

/// `TransactionPayment.TransactionFeePaid(who, actual_fee, tip)`.
fn fee_paid(events: &[Ev]) -> u64 {
    events
        .iter()
        .find(|e| e.is("TransactionPayment", "TransactionFeePaid"))
        .map_or(0, |e| e.num(1))
}

async fn fee_rate(api: &subxt::OnlineClient<subxt::SubstrateConfig>, netuid: u16) -> u64 {
    u64::try_from(chain_reads::number(
        &chain_reads::read_or_default(api, "Swap", "FeeRate", (netuid,)).await,
    ))
    .unwrap()
}

/// Positions of `who` at block `n`.
async fn positions_at_block(
    c: &ChainClient,
    who: [u8; 32],
    n: u64,
) -> std::collections::BTreeMap<([u8; 32], u16), AlphaRao> {
    let hash: String = c
        .rpc()
        .request("chain_getBlockHash", subxt::rpcs::rpc_params![n])
        .await
        .unwrap();
    let hash: [u8; 32] = hex::decode(hash.trim_start_matches("0x"))
        .unwrap()
        .try_into()
        .unwrap();
    extrinsics::fetch::positions_at(c, who, Some(hash))
        .await
        .unwrap()
}

fn pos(m: &std::collections::BTreeMap<([u8; 32], u16), AlphaRao>, h: [u8; 32], n: u16) -> u64 {
    m.get(&(h, n)).map_or(0, |a| a.get())
}

/// Sends the prepared action; returns the outcome, its block number and the events `who` caused in that block.
async fn send_with_events(
    c: &ChainClient,
    api: &subxt::OnlineClient<subxt::SubstrateConfig>,
    p: &Prepared,
    who: &KeypairSigner,
) -> (extrinsics::Sent, u64, Vec<Ev>) {
    let sent = extrinsics::send(c, p, who, None, &opts()).await.unwrap();
    let b = sent.block_number;
    let ev = chain_reads::events_of(api, b, who.public_key()).await;
    (sent, b, ev)
}

/// The `StakeRemoved` events and their subnets, sorted.
fn removals(ev: &[Ev]) -> (Vec<&Ev>, Vec<u64>) {
    let removed: Vec<&Ev> = ev
        .iter()
        .filter(|e| e.is("SubtensorModule", "StakeRemoved"))
        .collect();
    let mut netuids: Vec<u64> = removed.iter().map(|e| e.num(4)).collect();
    netuids.sort_unstable();
    (removed, netuids)
}

/// |a - b| <= b * bps / 10_000.
fn within_bps(a: u64, b: u64, bps: u64) -> bool {
    u128::from(a.abs_diff(b)) * 10_000 <= u128::from(b) * u128::from(bps)
}

#[test]
fn move_stake_to_another_validator_and_subnet_matches_the_preview() {
    let Some(s) = shared() else { return };
    let bob_v1 = s.world.validator("bob-v1").hotkey;
    let bob_v2 = s.world.validator("bob-v2").hotkey;
    let charlie_v1 = s.world.validator("charlie-v1").hotkey;
    let [n2, n3, _] = [
        s.world.netuids()[0],
        s.world.netuids()[1],
        s.world.netuids()[2],
    ];
    s.block_on(async {
        let _turn = CHAIN_TURN.lock().await;
        let c = client(s).await;
        let (api, rpc) = chain_reads::connect(s.ws_url()).await;
        let who = funded(s, 200 * TAO).await;
        stake_plain(&c, &who, bob_v1, n2, 40 * TAO).await;

        // Same subnet, other validator.
        chain_reads::skip_epochs(&api, &rpc, &[n2], 2).await;
        let held = alpha(&c, who.public_key(), bob_v1, n2).await;
        let x = held / 2;
        let p = prepare(
            &c,
            &who,
            Action::MoveStake {
                origin_hotkey: bob_v1,
                destination_hotkey: bob_v2,
                origin_netuid: n2,
                destination_netuid: n2,
                amount: AlphaAmount::Alpha(AlphaRao(x)),
                mode: StakeMode::default(),
            },
        )
        .await;
        assert!(p.preview.is_allowed(), "{:?}", p.preview.refusals);
        let (sent, b, ev) = send_with_events(&c, &api, &p, &who).await;
        let removed = one(&ev, "StakeRemoved");
        let added = one(&ev, "StakeAdded");
        let moved = one(&ev, "StakeMoved");
        // StakeRemoved(coldkey, hotkey, tao, alpha, netuid, fee); the sell leg pays no fee.
        assert_eq!((removed.account(1), removed.num(3), removed.num(4), removed.num(5)), (bob_v1, x, u64::from(n2), 0));
        // StakeAdded(coldkey, hotkey, tao, alpha, netuid, fee): all the TAO is restaked, paying the pool fee.
        assert_eq!((added.account(1), added.num(2), added.num(4)), (bob_v2, removed.num(2), u64::from(n2)));
        assert_eq!(moved.num(5), removed.num(2), "StakeMoved carries the TAO moved");
        let rate = fee_rate(&api, n2).await;
        assert!(added.num(5).abs_diff(removed.num(2) * rate / 65_535) <= 1, "fee {} at rate {rate}", added.num(5));
        let got = added.num(3);
        let want = p.preview.alpha_received.get();
        let loss = x - got;
        eprintln!("MEASURE move same subnet: moved {x}, received {got}, preview {want}, fee {} (preview {})", added.num(5), p.preview.swap_fee);
        assert!(loss > 0, "a same-subnet move pays the swap fee");
        assert!(within_bps(got, want, 2), "received {got} vs preview {want}");
        assert!(got.abs_diff(want) * 20 < loss, "the preview error ({}) is far below the fee loss ({loss})", got.abs_diff(want));
        assert!(within_bps(p.preview.swap_fee, added.num(5), 10), "fee preview {} vs {}", p.preview.swap_fee, added.num(5));
        // The positions at the parent and the inclusion block change by exactly the events' amounts (no epoch
        // in between); alpha is held as shares, so allow 2 rao of rounding.
        let before = positions_at_block(&c, who.public_key(), b - 1).await;
        let after = positions_at_block(&c, who.public_key(), b).await;
        assert!((pos(&before, bob_v1, n2) - x).abs_diff(pos(&after, bob_v1, n2)) <= 2);
        assert!((pos(&after, bob_v2, n2) - pos(&before, bob_v2, n2)).abs_diff(got) <= 2);
        // The balance paid exactly the previewed fee.
        let free_before = chain_reads::free_at(&api, Some(b - 1), who.public_key()).await;
        let free_after = chain_reads::free_at(&api, Some(b), who.public_key()).await;
        assert_eq!(free_before - free_after, p.preview.fee.get());
        assert_eq!(fee_paid(&ev), p.preview.fee.get());
        check_decoded(
            s,
            &c,
            &sent,
            &who,
            "moveStake",
            &[
                ("originHotkey", ss58(&bob_v1)),
                ("destinationHotkey", ss58(&bob_v2)),
                ("originNetuid", n2.to_string()),
                ("destinationNetuid", n2.to_string()),
                ("alphaAmount", x.to_string()),
            ],
        )
        .await;

        // Another subnet and validator: the rest of the bob-v1 position to charlie-v1 on n3.
        chain_reads::skip_epochs(&api, &rpc, &[n2, n3], 2).await;
        let p = prepare(
            &c,
            &who,
            Action::MoveStake {
                origin_hotkey: bob_v1,
                destination_hotkey: charlie_v1,
                origin_netuid: n2,
                destination_netuid: n3,
                amount: AlphaAmount::All,
                mode: StakeMode::default(),
            },
        )
        .await;
        assert!(p.preview.is_allowed(), "{:?}", p.preview.refusals);
        let x = p.preview.alpha_sold.get();
        let (sent, b, ev) = send_with_events(&c, &api, &p, &who).await;
        let removed = one(&ev, "StakeRemoved");
        let added = one(&ev, "StakeAdded");
        assert_eq!((removed.num(3), removed.num(4), removed.num(5)), (x, u64::from(n2), 0));
        assert_eq!((added.account(1), added.num(2), added.num(4)), (charlie_v1, removed.num(2), u64::from(n3)));
        let rate = fee_rate(&api, n3).await;
        assert!(added.num(5).abs_diff(removed.num(2) * rate / 65_535) <= 1);
        let got = added.num(3);
        let want = p.preview.alpha_received.get();
        eprintln!("MEASURE move cross subnet: sold {x}, received {got}, preview {want}");
        assert!(within_bps(got, want, 10), "received {got} vs preview {want}");
        let after = positions_at_block(&c, who.public_key(), b).await;
        assert_eq!(pos(&after, bob_v1, n2), 0);
        check_decoded(
            s,
            &c,
            &sent,
            &who,
            "moveStake",
            &[
                ("destinationHotkey", ss58(&charlie_v1)),
                ("originNetuid", n2.to_string()),
                ("destinationNetuid", n3.to_string()),
                ("alphaAmount", x.to_string()),
            ],
        )
        .await;
    });
}

#[test]
fn swap_stake_matches_the_preview_and_the_limit_variant_refuses_or_fills_partially() {
    let Some(s) = shared() else { return };
    let bob_v1 = s.world.validator("bob-v1").hotkey;
    let [n2, n3, n4] = [
        s.world.netuids()[0],
        s.world.netuids()[1],
        s.world.netuids()[2],
    ];
    s.block_on(async {
        let _turn = CHAIN_TURN.lock().await;
        let c = client(s).await;
        let (api, rpc) = chain_reads::connect(s.ws_url()).await;
        let who = funded(s, 1_000 * TAO).await;
        stake_plain(&c, &who, bob_v1, n3, 20 * TAO).await;

        // Plain swap_stake n3 -> n4, half the position.
        chain_reads::skip_epochs(&api, &rpc, &[n3, n4], 2).await;
        let held = alpha(&c, who.public_key(), bob_v1, n3).await;
        let x = held / 2;
        let p = prepare(
            &c,
            &who,
            Action::SwapStake {
                hotkey: bob_v1,
                origin_netuid: n3,
                destination_netuid: n4,
                amount: AlphaAmount::Alpha(AlphaRao(x)),
                mode: StakeMode::Unsafe,
            },
        )
        .await;
        assert!(p.preview.is_allowed(), "{:?}", p.preview.refusals);
        assert_eq!(p.preview.call.name, "swap_stake");
        let (sent, b, ev) = send_with_events(&c, &api, &p, &who).await;
        let removed = one(&ev, "StakeRemoved");
        let added = one(&ev, "StakeAdded");
        let swapped = one(&ev, "StakeSwapped");
        assert_eq!(
            (removed.num(3), removed.num(4), removed.num(5)),
            (x, u64::from(n3), 0)
        );
        assert_eq!(
            (added.account(1), added.num(2), added.num(4)),
            (bob_v1, removed.num(2), u64::from(n4))
        );
        // StakeSwapped(coldkey, hotkey, origin_netuid, destination_netuid, tao).
        assert_eq!(
            (swapped.num(2), swapped.num(3), swapped.num(4)),
            (u64::from(n3), u64::from(n4), removed.num(2))
        );
        let got = added.num(3);
        let want = p.preview.alpha_received.get();
        eprintln!("MEASURE swap_stake: sold {x}, received {got}, preview {want}");
        assert!(
            within_bps(got, want, 10),
            "received {got} vs preview {want}"
        );
        let before = positions_at_block(&c, who.public_key(), b - 1).await;
        let after = positions_at_block(&c, who.public_key(), b).await;
        assert!((pos(&before, bob_v1, n3) - x).abs_diff(pos(&after, bob_v1, n3)) <= 2);
        assert!((pos(&after, bob_v1, n4) - pos(&before, bob_v1, n4)).abs_diff(got) <= 2);
        check_decoded(
            s,
            &c,
            &sent,
            &who,
            "swapStake",
            &[
                ("hotkey", ss58(&bob_v1)),
                ("originNetuid", n3.to_string()),
                ("destinationNetuid", n4.to_string()),
                ("alphaAmount", x.to_string()),
            ],
        )
        .await;

        // swap_stake_limit: previewed at 0.5 %, then a large stake into the destination raises its price, so the
        // origin/destination price falls below the limit and the chain refuses.
        let strict = StakeMode::Limit {
            tolerance: Tolerance::from_bps(50).unwrap(),
            allow_partial: false,
        };
        let rest = alpha(&c, who.public_key(), bob_v1, n3).await;
        // An amount small enough for the pools to take within the tolerance (the preview says so).
        let mut amount = rest / 4;
        let p = loop {
            let p = prepare(
                &c,
                &who,
                Action::SwapStake {
                    hotkey: bob_v1,
                    origin_netuid: n3,
                    destination_netuid: n4,
                    amount: AlphaAmount::Alpha(AlphaRao(amount)),
                    mode: strict,
                },
            )
            .await;
            if p.preview.is_allowed() || amount < rest / 64 {
                break p;
            }
            assert_eq!(
                p.preview.refusals[0].code, "beyond_tolerance",
                "{:?}",
                p.preview.refusals
            );
            amount /= 2;
        };
        assert!(p.preview.is_allowed(), "{:?}", p.preview.refusals);
        assert_eq!(p.preview.call.name, "swap_stake_limit");
        let whale = funded(s, 3_000 * TAO).await;
        stake_plain(&c, &whale, bob_v1, n4, 2_000 * TAO).await;
        let err = extrinsics::send(&c, &p, &who, None, &opts())
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("SlippageTooHigh")
                || text.contains("ZeroMaxAmount")
                || text.contains("ZeroMaxStakeAmount"),
            "{text}"
        );
        if let ExtrinsicError::Tx(TxError::Dispatch { block_hash, .. }) = &err {
            let n = chain_reads::head_number(&rpc).await;
            let _ = block_hash;
            let ev = chain_reads::events_of(&api, n, who.public_key()).await;
            assert!(
                !ev.iter().any(|e| e.is("SubtensorModule", "StakeRemoved")),
                "{ev:?}"
            );
        }
        let now = alpha(&c, who.public_key(), bob_v1, n3).await;
        assert!(
            now >= rest,
            "the refused swap moved nothing ({now} < {rest})"
        );

        // With allow_partial, a swap far larger than the tolerance allows is filled only in part.
        stake_plain(&c, &who, bob_v1, n2, 600 * TAO).await;
        chain_reads::new_blocks(&rpc, 1).await;
        chain_reads::skip_epochs(&api, &rpc, &[n2, n4], 2).await;
        let partial = StakeMode::Limit {
            tolerance: Tolerance::from_bps(50).unwrap(),
            allow_partial: true,
        };
        let p = prepare(
            &c,
            &who,
            Action::SwapStake {
                hotkey: bob_v1,
                origin_netuid: n2,
                destination_netuid: n4,
                amount: AlphaAmount::All,
                mode: partial,
            },
        )
        .await;
        assert!(p.preview.is_allowed(), "{:?}", p.preview.refusals);
        assert!(
            p.preview.warnings.iter().any(|w| w.contains("only part")),
            "{:?}",
            p.preview.warnings
        );
        let asked = p.preview.alpha_sold.get();
        let (sent, b, ev) = send_with_events(&c, &api, &p, &who).await;
        let removed = one(&ev, "StakeRemoved");
        let added = one(&ev, "StakeAdded");
        let sold = removed.num(3);
        eprintln!(
            "MEASURE swap_stake_limit partial: asked {asked}, sold {sold}, received {}",
            added.num(3)
        );
        assert!(
            sold > 0 && sold < asked,
            "partial fill: sold {sold} of {asked}"
        );
        let after = positions_at_block(&c, who.public_key(), b).await;
        assert!(
            pos(&after, bob_v1, n2).abs_diff(asked - sold) <= 2,
            "the unfilled part stays staked"
        );
        // The fill kept to the limit: the average rate (destination alpha per origin alpha, fee added back) is at
        // least the limit price, less a small margin for the runtime's single-step approximation.
        let limit = u128::from(p.preview.limit_price.unwrap());
        let rate = (u128::from(added.num(3)) * 65_535
            / u128::from(65_535 - fee_rate(&api, n4).await))
            * 1_000_000_000
            / u128::from(sold);
        assert!(
            rate * 10_000 >= limit * 9_990,
            "average rate {rate} below limit {limit}"
        );
        check_decoded(
            s,
            &c,
            &sent,
            &who,
            "swapStakeLimit",
            &[
                ("hotkey", ss58(&bob_v1)),
                ("originNetuid", n2.to_string()),
                ("destinationNetuid", n4.to_string()),
                ("alphaAmount", asked.to_string()),
                ("limitPrice", p.preview.limit_price.unwrap().to_string()),
                ("allowPartial", "true".to_owned()),
            ],
        )
        .await;
    });
}

#[test]
fn unstake_all_and_unstake_all_alpha_match_the_preview() {
    let Some(s) = shared() else { return };
    let bob_v1 = s.world.validator("bob-v1").hotkey;
    let [n2, n3] = [s.world.netuids()[0], s.world.netuids()[1]];
    s.block_on(async {
        let _turn = CHAIN_TURN.lock().await;
        let c = client(s).await;
        let (api, rpc) = chain_reads::connect(s.ws_url()).await;
        let who = funded(s, 300 * TAO).await;
        for n in [0, n2, n3] {
            stake_plain(&c, &who, bob_v1, n, 10 * TAO).await;
        }

        // unstake_all: every subnet, root included, back to TAO.
        chain_reads::skip_epochs(&api, &rpc, &[0, n2, n3], 2).await;
        let p = prepare(
            &c,
            &who,
            Action::UnstakeAll {
                hotkey: bob_v1,
                alpha_only: false,
            },
        )
        .await;
        assert!(p.preview.is_allowed(), "{:?}", p.preview.refusals);
        let (sent, b, ev) = send_with_events(&c, &api, &p, &who).await;
        let (removed, netuids) = removals(&ev);
        assert_eq!(
            netuids,
            [0, u64::from(n2), u64::from(n3)],
            "root is unstaked too"
        );
        for e in &removed {
            let n = u16::try_from(e.num(4)).unwrap();
            assert_eq!(
                e.num(3),
                pos(&p.view.positions, bob_v1, n),
                "alpha sold on {n} is the previewed position"
            );
        }
        let tao: u64 = removed.iter().map(|e| e.num(2)).sum();
        let want = p.preview.tao_received.get();
        eprintln!("MEASURE unstake_all: received {tao}, preview {want}");
        assert!(within_bps(tao, want, 5), "received {tao} vs preview {want}");
        let free_before = chain_reads::free_at(&api, Some(b - 1), who.public_key()).await;
        let free_after = chain_reads::free_at(&api, Some(b), who.public_key()).await;
        assert_eq!(
            free_after + fee_paid(&ev),
            free_before + tao,
            "the balance got exactly the events' TAO"
        );
        let after = positions_at_block(&c, who.public_key(), b).await;
        assert!(
            [0, n2, n3].iter().all(|&n| pos(&after, bob_v1, n) == 0),
            "{after:?}"
        );
        check_decoded(
            s,
            &c,
            &sent,
            &who,
            "unstakeAll",
            &[("hotkey", ss58(&bob_v1))],
        )
        .await;

        // unstake_all_alpha: the subnets (not root) into root stake.
        for n in [0, n2, n3] {
            stake_plain(&c, &who, bob_v1, n, 5 * TAO).await;
        }
        chain_reads::new_blocks(&rpc, 1).await;
        chain_reads::skip_epochs(&api, &rpc, &[0, n2, n3], 2).await;
        let p = prepare(
            &c,
            &who,
            Action::UnstakeAll {
                hotkey: bob_v1,
                alpha_only: true,
            },
        )
        .await;
        assert!(p.preview.is_allowed(), "{:?}", p.preview.refusals);
        let (sent, b, ev) = send_with_events(&c, &api, &p, &who).await;
        let (removed, netuids) = removals(&ev);
        assert_eq!(netuids, [u64::from(n2), u64::from(n3)], "root stays");
        let tao: u64 = removed.iter().map(|e| e.num(2)).sum();
        let added = one(&ev, "StakeAdded");
        assert_eq!(
            (added.num(2), added.num(4)),
            (tao, 0),
            "all of it is staked on root"
        );
        let want = p.preview.alpha_received.get();
        eprintln!(
            "MEASURE unstake_all_alpha: root alpha {}, preview {want}",
            added.num(3)
        );
        assert!(
            within_bps(added.num(3), want, 5),
            "root alpha {} vs preview {want}",
            added.num(3)
        );
        let before = positions_at_block(&c, who.public_key(), b - 1).await;
        let after = positions_at_block(&c, who.public_key(), b).await;
        assert!((pos(&after, bob_v1, 0) - pos(&before, bob_v1, 0)).abs_diff(added.num(3)) <= 2);
        assert!(
            [n2, n3].iter().all(|&n| pos(&after, bob_v1, n) == 0),
            "{after:?}"
        );
        check_decoded(
            s,
            &c,
            &sent,
            &who,
            "unstakeAllAlpha",
            &[("hotkey", ss58(&bob_v1))],
        )
        .await;
    });
}

async fn set_build_mode(rpc: &subxt::rpcs::RpcClient, mode: &str) {
    let _: serde_json::Value = rpc
        .request("dev_setBlockBuildMode", subxt::rpcs::rpc_params![mode])
        .await
        .unwrap();
}

async fn pending(rpc: &subxt::rpcs::RpcClient) -> usize {
    let v: Vec<String> = rpc
        .request("author_pendingExtrinsics", subxt::rpcs::rpc_params![])
        .await
        .unwrap();
    v.len()
}

async fn wait_pending(rpc: &subxt::rpcs::RpcClient, n: usize) {
    let until = Instant::now() + std::time::Duration::from_secs(30);
    while pending(rpc).await < n {
        assert!(
            Instant::now() < until,
            "the pool never held {n} transactions"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[test]
fn stake_then_unstake_in_one_block_hits_the_rate_limit() {
    let Some(s) = shared() else { return };
    let bob_v1 = s.world.validator("bob-v1").hotkey;
    let n2 = s.world.netuids()[0];
    s.block_on(async {
        let _turn = CHAIN_TURN.lock().await;
        let c = std::sync::Arc::new(client(s).await);
        let (api, rpc) = chain_reads::connect(s.ws_url()).await;
        let who = std::sync::Arc::new(funded(s, 50 * TAO).await);
        stake_plain(&c, &who, bob_v1, n2, 2 * TAO).await;
        let held = alpha(&c, who.public_key(), bob_v1, n2).await;
        let stake = prepare(
            &c,
            &who,
            Action::AddStake {
                hotkey: bob_v1,
                netuid: n2,
                amount: Rao(TAO),
                mode: StakeMode::Unsafe,
            },
        )
        .await;
        let unstake = prepare(
            &c,
            &who,
            Action::RemoveStake {
                hotkey: bob_v1,
                netuid: n2,
                amount: AlphaAmount::Alpha(AlphaRao(held / 2)),
                mode: StakeMode::Unsafe,
            },
        )
        .await;
        assert!(
            unstake.preview.is_allowed(),
            "{:?}",
            unstake.preview.refusals
        );
        // Both go into the pool (the second with the next nonce) before one block is built.
        set_build_mode(&rpc, "Manual").await;
        let head = chain_reads::head_number(&rpc).await;
        let first = {
            let (c, who) = (c.clone(), who.clone());
            tokio::spawn(async move { extrinsics::send(&c, &stake, &who, None, &opts()).await })
        };
        wait_pending(&rpc, 1).await;
        let second = {
            let (c, who) = (c.clone(), who.clone());
            tokio::spawn(async move { extrinsics::send(&c, &unstake, &who, None, &opts()).await })
        };
        wait_pending(&rpc, 2).await;
        chain_reads::new_blocks(&rpc, 1).await;
        let first = first.await.unwrap();
        let second = tokio::time::timeout(std::time::Duration::from_secs(60), second).await;
        set_build_mode(&rpc, "Instant").await;
        let first = first.unwrap();
        assert_eq!(first.block_number, head + 1);
        let err = second
            .expect("the second transaction's outcome is reported")
            .unwrap()
            .unwrap_err();
        let text = err.to_string();
        eprintln!("rate limit: {text}");
        // Spec 293 checks the staking rate limit (StakingOperationRateLimitExceeded) when it validates the unstake,
        // and its transaction extension maps that error to custom code 255 (BadRequest), so the block builder
        // refuses the unstake with that code; a runtime that dispatched it would name the error itself.
        assert!(
            matches!(&err, ExtrinsicError::Tx(TxError::Invalid(r)) if r.custom_name == Some("BadRequest"))
                || matches!(&err, ExtrinsicError::Tx(TxError::Dispatch { error, .. }) if error.variant == "StakingOperationRateLimitExceeded"),
            "{text}"
        );
        assert!(text.contains("rate limit") && text.contains("wait a block"), "the sentence says what to do: {text}");
        // Nothing was unstaked in that block.
        let ev = chain_reads::events_of(&api, head + 1, who.public_key()).await;
        assert!(ev.iter().any(|e| e.is("SubtensorModule", "StakeAdded")));
        assert!(
            !ev.iter().any(|e| e.is("SubtensorModule", "StakeRemoved")),
            "{ev:?}"
        );
    });
}

/// A TCP proxy in front of the chain that cuts the first connection right after a transaction submission has
/// passed through it (client frames are masked, so it unmasks them to see the method), and counts submissions.
struct CuttingProxy {
    port: u16,
    submissions: std::sync::Arc<AtomicU32>,
    cuts: std::sync::Arc<AtomicU32>,
}

impl CuttingProxy {
    fn start(upstream_port: u16) -> CuttingProxy {
        use std::net::{TcpListener, TcpStream};
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let submissions = std::sync::Arc::new(AtomicU32::new(0));
        let cuts = std::sync::Arc::new(AtomicU32::new(0));
        let (subs, cut) = (submissions.clone(), cuts.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream_port)) else {
                    continue;
                };
                let (subs, cut) = (subs.clone(), cut.clone());
                let (mut c_read, mut s_write) =
                    (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (mut s_read, mut c_write) =
                    (server.try_clone().unwrap(), client.try_clone().unwrap());
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut s_read, &mut c_write);
                });
                std::thread::spawn(move || {
                    use std::io::{Read, Write};
                    let mut buf = Vec::new();
                    let mut handshake_done = false;
                    let mut chunk = [0u8; 16_384];
                    loop {
                        let n = match c_read.read(&mut chunk) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        buf.extend_from_slice(&chunk[..n]);
                        if !handshake_done {
                            let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                                continue;
                            };
                            if s_write.write_all(&buf[..end + 4]).is_err() {
                                break;
                            }
                            buf.drain(..end + 4);
                            handshake_done = true;
                        }
                        while let Some((len, payload)) = ws_frame(&buf) {
                            if s_write.write_all(&buf[..len]).is_err() {
                                return;
                            }
                            buf.drain(..len);
                            let text = String::from_utf8_lossy(&payload);
                            if text.contains("author_submit") {
                                subs.fetch_add(1, Ordering::SeqCst);
                                if cut.fetch_add(1, Ordering::SeqCst) == 0 {
                                    let _ = s_write.flush();
                                    let _ = client.shutdown(std::net::Shutdown::Both);
                                    let _ = server.shutdown(std::net::Shutdown::Both);
                                    return;
                                }
                            }
                        }
                    }
                    let _ = server.shutdown(std::net::Shutdown::Both);
                    let _ = client.shutdown(std::net::Shutdown::Both);
                });
            }
        });
        CuttingProxy {
            port,
            submissions,
            cuts,
        }
    }
}

/// One complete WebSocket frame at the start of `buf`: its length and unmasked payload.
fn ws_frame(buf: &[u8]) -> Option<(usize, Vec<u8>)> {
    if buf.len() < 2 {
        return None;
    }
    let masked = buf[1] & 0x80 != 0;
    let (len, mut at) = match buf[1] & 0x7f {
        126 => (
            usize::from(u16::from_be_bytes(buf.get(2..4)?.try_into().ok()?)),
            4,
        ),
        127 => (
            usize::try_from(u64::from_be_bytes(buf.get(2..10)?.try_into().ok()?)).ok()?,
            10,
        ),
        n => (usize::from(n), 2),
    };
    let mask: Option<[u8; 4]> = if masked {
        let m = buf.get(at..at + 4)?.try_into().ok()?;
        at += 4;
        Some(m)
    } else {
        None
    };
    let payload = buf.get(at..at + len)?;
    let payload = match mask {
        Some(m) => payload
            .iter()
            .enumerate()
            .map(|(i, b)| b ^ m[i % 4])
            .collect(),
        None => payload.to_vec(),
    };
    Some((at + len, payload))
}

#[test]
fn a_connection_cut_during_submission_is_recovered_without_a_second_submission() {
    let Some(s) = shared() else { return };
    let port: u16 = s
        .ws_url()
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .parse()
        .unwrap();
    s.block_on(async {
        let _turn = CHAIN_TURN.lock().await;
        let (api, _rpc) = chain_reads::connect(s.ws_url()).await;
        let who = funded(s, 20 * TAO).await;
        let dest = world::signer(&format!("//CutDest{}", std::process::id())).public_key();
        let proxy = CuttingProxy::start(port);
        let c = chain_reads::taotui_client(&format!("ws://127.0.0.1:{}", proxy.port)).await;
        let p = prepare(
            &c,
            &who,
            Action::Transfer {
                dest,
                amount: Rao(3 * TAO),
            },
        )
        .await;
        assert!(p.preview.is_allowed(), "{:?}", p.preview.refusals);
        let dir = tempfile::tempdir().unwrap();
        let history = History::at(dir.path());
        let t = Instant::now();
        let sent = extrinsics::send(&c, &p, &who, Some(&history), &opts())
            .await
            .unwrap();
        eprintln!(
            "MEASURE cut connection: outcome after {:?}, reconnects {}",
            t.elapsed(),
            c.reconnect_count()
        );
        assert_eq!(
            proxy.cuts.load(Ordering::SeqCst),
            1,
            "the proxy cut the connection after the submission"
        );
        assert!(
            sent.recovered,
            "the outcome came from the block search after reconnecting"
        );
        assert!(c.reconnect_count() >= 1);
        assert!(sent.events.iter().any(|e| e.is("Balances", "Transfer")));
        assert_eq!(
            proxy.submissions.load(Ordering::SeqCst),
            1,
            "submitted exactly once"
        );
        // On chain: exactly one extrinsic from the account (its nonce), and the amount arrived once.
        let account = chain_reads::read(&api, "System", "Account", (who.public_key(),))
            .await
            .unwrap();
        assert_eq!(chain_reads::number(account.at("nonce").unwrap()), 1);
        assert_eq!(chain_reads::free_at(&api, None, dest).await, 3 * TAO);
        let txs = history.transactions().unwrap();
        assert_eq!(txs.last().unwrap().status, TxStatus::InBlock);
        assert_eq!(
            txs.last().unwrap().hash,
            extrinsics::send::hex(&sent.extrinsic_hash)
        );
    });
}

#[test]
fn cli_stake_add_finds_the_validator_by_name() {
    let Some(s) = shared() else { return };
    let charlie = s.world.validator("charlie-v1");
    let Some(name) = charlie.identity.clone() else {
        let reason = format!("no identity was set while seeding: {:?}", s.world.notes);
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{reason}");
        }
        eprintln!("SKIPPED: cli_stake_add_finds_the_validator_by_name: {reason}");
        return;
    };
    let bob_name = s.world.validator("bob-v1").identity.clone().unwrap();
    let n2 = s.world.netuids()[0].to_string();
    let n4 = s.world.netuids()[2].to_string();
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let pw = home.join("pw");
    std::fs::write(&pw, "correct horse battery staple 42\n").unwrap();
    let pwp = pw.to_str().unwrap();
    let suri = format!("//CliByName{}", std::process::id());
    s.block_on(async {
        let _turn = CHAIN_TURN.lock().await;
        fund_account(s, world::account(&suri), 20 * TAO).await;
        let suri_file = home.join("suri");
        std::fs::write(&suri_file, format!("{suri}\n")).unwrap();
        let regen = taotui(
            home,
            s,
            &[
                "wallet",
                "regen-coldkey",
                "-w",
                "cli",
                "--secret-file",
                suri_file.to_str().unwrap(),
                "--password-file",
                pwp,
                "--allow-weak-password",
            ],
        );
        assert!(
            regen.status.success(),
            "{}",
            String::from_utf8_lossy(&regen.stderr)
        );
        let add = |validator: &str, netuid: &str| {
            taotui(
                home,
                s,
                &[
                    "stake",
                    "add",
                    "-w",
                    "cli",
                    "--validator",
                    validator,
                    "--netuid",
                    netuid,
                    "--amount",
                    "1",
                    "-y",
                    "--password-file",
                    pwp,
                    "--json",
                ],
            )
        };
        // Unknown name: a sentence naming the subnet and where to look; nothing is sent.
        let out = add("Nobody Like This", &n4);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("no validator named \"Nobody Like This\" on subnet"),
            "{err}"
        );
        assert!(err.contains("taotui validators --netuid"), "{err}");
        // Bob has two hotkeys on the first subnet: ambiguous, so the user is asked for the hotkey.
        let out = add(&bob_name, &n2);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("are named") && err.contains("--hotkey"),
            "{err}"
        );
        // Charlie's one hotkey on the third subnet, matched case-insensitively.
        let out = add(&name.to_uppercase(), &n4);
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let args = v["preview"]["call"]["args"].to_string();
        assert!(args.contains(&ss58(&charlie.hotkey)), "{args}");
        assert_eq!(v["submitted"], true);
    });
}

#[test]
fn transfer_stake_gives_a_position_to_another_coldkey_and_history_records_it() {
    let Some(s) = shared() else { return };
    let bob_v1 = s.world.validator("bob-v1").hotkey;
    let [n3, n4] = [s.world.netuids()[1], s.world.netuids()[2]];
    s.block_on(async {
        let _turn = CHAIN_TURN.lock().await;
        let c = client(s).await;
        let (api, rpc) = chain_reads::connect(s.ws_url()).await;
        let who = funded(s, 200 * TAO).await;
        let dest = world::signer(&format!("//StakeGift{}", std::process::id())).public_key();
        stake_plain(&c, &who, bob_v1, n3, 20 * TAO).await;
        assert!(
            c.metadata()
                .pallet_by_name("SubtensorModule")
                .unwrap()
                .call_variant_by_name("transfer_stake")
                .is_some()
        );

        // Half the position to the other coldkey, same subnet.
        chain_reads::skip_epochs(&api, &rpc, &[n3, n4], 2).await;
        let held = alpha(&c, who.public_key(), bob_v1, n3).await;
        let x = held / 2;
        let dir = tempfile::tempdir().unwrap();
        let history = History::at(dir.path());
        let p = prepare(
            &c,
            &who,
            Action::TransferStake {
                destination_coldkey: dest,
                hotkey: bob_v1,
                origin_netuid: n3,
                destination_netuid: n3,
                amount: AlphaAmount::Alpha(AlphaRao(x)),
            },
        )
        .await;
        assert!(p.preview.is_allowed(), "{:?}", p.preview.refusals);
        assert_eq!(p.preview.call.name, "transfer_stake");
        let sent = extrinsics::send(&c, &p, &who, Some(&history), &opts())
            .await
            .unwrap();
        let b = sent.block_number;
        assert!(
            sent.events
                .iter()
                .any(|e| e.is("SubtensorModule", "StakeTransferred")),
            "{:?}",
            sent.events
        );
        let before = positions_at_block(&c, who.public_key(), b - 1).await;
        let after = positions_at_block(&c, who.public_key(), b).await;
        // The source shrinks by what was sent (alpha is held as shares: 2 rao of rounding).
        assert!((pos(&before, bob_v1, n3) - x).abs_diff(pos(&after, bob_v1, n3)) <= 2);
        // The destination coldkey now has a position with the validator, as the preview said.
        let got = alpha(&c, dest, bob_v1, n3).await;
        let want = p.preview.alpha_received.get();
        eprintln!("MEASURE transfer_stake same subnet: sent {x}, received {got}, preview {want}");
        assert!(got > 0 && got <= x, "received {got} of {x}");
        assert!(
            within_bps(got, want, 10),
            "received {got} vs preview {want}"
        );
        let free_before = chain_reads::free_at(&api, Some(b - 1), who.public_key()).await;
        let free_after = chain_reads::free_at(&api, Some(b), who.public_key()).await;
        assert_eq!(free_before - free_after, p.preview.fee.get());
        let txs = history.transactions().unwrap();
        assert_eq!(txs.len(), 1);
        assert_eq!(txs[0].call, "SubtensorModule.transfer_stake");
        assert_eq!(txs[0].status, TxStatus::InBlock);
        assert_eq!(txs[0].hash, extrinsics::send::hex(&sent.extrinsic_hash));
        assert_eq!(txs[0].details["destination_coldkey"], ss58(&dest));
        assert_eq!(txs[0].details["alpha_amount"], x);
        check_decoded(
            s,
            &c,
            &sent,
            &who,
            "transferStake",
            &[
                ("destinationColdkey", ss58(&dest)),
                ("hotkey", ss58(&bob_v1)),
                ("originNetuid", n3.to_string()),
                ("destinationNetuid", n3.to_string()),
                ("alphaAmount", x.to_string()),
            ],
        )
        .await;

        // The rest into another subnet: sold on n3, bought on n4 for the other coldkey.
        chain_reads::skip_epochs(&api, &rpc, &[n3, n4], 2).await;
        let p = prepare(
            &c,
            &who,
            Action::TransferStake {
                destination_coldkey: dest,
                hotkey: bob_v1,
                origin_netuid: n3,
                destination_netuid: n4,
                amount: AlphaAmount::All,
            },
        )
        .await;
        assert!(p.preview.is_allowed(), "{:?}", p.preview.refusals);
        let sent = extrinsics::send(&c, &p, &who, Some(&history), &opts())
            .await
            .unwrap();
        let after = positions_at_block(&c, who.public_key(), sent.block_number).await;
        assert_eq!(pos(&after, bob_v1, n3), 0);
        let got = alpha(&c, dest, bob_v1, n4).await;
        let want = p.preview.alpha_received.get();
        eprintln!("MEASURE transfer_stake cross subnet: received {got}, preview {want}");
        assert!(
            within_bps(got, want, 10),
            "received {got} vs preview {want}"
        );
        assert_eq!(history.transactions().unwrap().len(), 2);

        // To itself: refused before signing.
        let p = prepare(
            &c,
            &who,
            Action::TransferStake {
                destination_coldkey: who.public_key(),
                hotkey: bob_v1,
                origin_netuid: n4,
                destination_netuid: n4,
                amount: AlphaAmount::All,
            },
        )
        .await;
        assert!(
            p.preview.refusals.iter().any(|r| r.code == "self_transfer"),
            "{:?}",
            p.preview.refusals
        );
    });
}

#[test]
fn remove_stake_full_limit_with_a_limit_unstakes_the_position_as_it_is_when_the_call_runs() {
    let Some(s) = shared() else { return };
    let bob_v1 = s.world.validator("bob-v1").hotkey;
    let netuid = s.world.netuids()[0];
    s.block_on(async {
        let _turn = CHAIN_TURN.lock().await;
        let c = client(s).await;
        let (api, rpc) = chain_reads::connect(s.ws_url()).await;
        let who = funded(s, 50 * TAO).await;
        stake_plain(&c, &who, bob_v1, netuid, 2 * TAO).await;
        chain_reads::skip_epochs(&api, &rpc, &[netuid], 1).await;
        let p = prepare(
            &c,
            &who,
            Action::RemoveStake {
                hotkey: bob_v1,
                netuid,
                amount: AlphaAmount::All,
                mode: StakeMode::Limit {
                    tolerance: Tolerance::from_bps(300).unwrap(),
                    allow_partial: false,
                },
            },
        )
        .await;
        assert!(p.preview.is_allowed(), "{:?}", p.preview.refusals);
        assert_eq!(p.preview.call.name, "remove_stake_full_limit");
        let limit = p.preview.limit_price.expect("a limit price");
        assert_eq!(
            p.preview.call.arg("limit_price"),
            Some(extrinsics::ArgValue::OptionU64(Some(limit)))
        );
        let (sent, _, ev) = send_with_events(&c, &api, &p, &who).await;
        let removed = one(&ev, "StakeRemoved");
        assert_eq!(alpha(&c, who.public_key(), bob_v1, netuid).await, 0);
        // What was sold is what the position held when the call ran (StakeRemoved's alpha).
        assert!(
            removed.num(3) >= p.preview.alpha_sold.get() - 2,
            "{} vs {}",
            removed.num(3),
            p.preview.alpha_sold.get()
        );
        check_decoded(
            s,
            &c,
            &sent,
            &who,
            "removeStakeFullLimit",
            &[
                ("hotkey", ss58(&bob_v1)),
                ("netuid", netuid.to_string()),
                ("limitPrice", limit.to_string()),
            ],
        )
        .await;
    });
}
