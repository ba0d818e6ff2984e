//! Staking through a proxy on the real spec-293 runtime: the real coldkey grants a Staking proxy with
//! `taotui proxy add`, the delegate stakes and unstakes for it (the real coldkey's positions and free balance
//! change, the delegate pays the fees), a transfer of TAO through the proxy is refused by the proxy filter, and
//! `taotui proxy remove` ends it. Also: this runtime has no MevShield, so a stake previews "not shielded".

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

#[allow(unused_imports)]
use common::local_chain_or_skip as _;

use std::path::Path;
use std::process::Command;

use common::chain_reads;
use common::world::{self, Shared, TAO};
use subxt::dynamic::{At, Value};
use taotui::amount::{AlphaRao, Rao};
use taotui::chain::client::ChainClient;
use taotui::chain::extrinsics::{self, Action, AlphaAmount, StakeMode};
use taotui::chain::mev_shield::{self, ClearReason, Decision};
use taotui::chain::proxy::{self, DepositTerms};
use taotui::chain::signer::KeypairSigner;
use taotui::chain::tx::{self, SubmitOptions, TxError};
use taotui_keystore::derive::CryptoType;

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

fn ok(home: &Path, s: &Shared, args: &[&str]) -> String {
    let out = taotui(home, s, args);
    assert!(
        out.status.success(),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn balances(s: &Shared, account: [u8; 32]) -> (u64, u64) {
    let (api, _) = world::connect(s.ws_url()).await;
    let a = chain_reads::read_at(&api, None, "System", "Account", (account,))
        .await
        .unwrap();
    let get = |name: &str| {
        a.at("data")
            .and_then(|d| d.at(name))
            .and_then(Value::as_u128)
            .map_or(0, |v| u64::try_from(v).unwrap())
    };
    (get("free"), get("reserved"))
}

/// Submits `call` on behalf of `real`, signed by `delegate`, through a Staking proxy.
async fn as_proxy(
    c: &ChainClient,
    delegate: &KeypairSigner,
    real: [u8; 32],
    call: subxt::transactions::DynamicPayload<subxt::ext::scale_value::Composite<()>>,
) -> Result<tx::TxOutcome, TxError> {
    tx::submit(
        c.api(),
        c.rpc(),
        delegate,
        &proxy::wrap(call, real, Some("Staking")),
        &SubmitOptions {
            wait_for_finalized: false,
            ..SubmitOptions::default()
        },
    )
    .await
}

#[test]
fn a_staking_proxy_stakes_for_the_offline_coldkey_and_cannot_transfer() {
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let pid = std::process::id();
    let real_suri = format!("//ProxyReal{pid}");
    let delegate = world::signer(&format!("//ProxyDelegate{pid}"));
    let real = world::account(&real_suri);
    let hotkey = s.world.validator("bob-v1").hotkey;
    let netuid = s.world.netuids()[0];
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let pw = home.join("pw");
    std::fs::write(&pw, "correct horse battery staple 42\n").unwrap();
    let pwp = pw.to_str().unwrap();
    let delegate_ss58 = delegate.ss58();

    s.block_on(async {
        let (api, rpc) = world::connect(s.ws_url()).await;
        world::fund_from_alice(&api, &rpc, real, 100 * TAO).await;
        world::fund_from_alice(&api, &rpc, delegate.public_key(), 10 * TAO).await;
    });
    // Secrets never go on the command line: the URI comes from a file.
    let suri_file = home.join("suri");
    std::fs::write(&suri_file, format!("{real_suri}\n")).unwrap();
    ok(
        home,
        s,
        &[
            "wallet",
            "regen-coldkey",
            "-w",
            "real",
            "--secret-file",
            suri_file.to_str().unwrap(),
            "--password-file",
            pwp,
            "--allow-weak-password",
        ],
    );
    let c = s.block_on(chain_reads::taotui_client(s.ws_url()));
    let terms = DepositTerms::from_metadata(&c.metadata()).unwrap();
    let (_, reserved_before) = s.block_on(balances(s, real));

    // Grant: the preview names the type and the deposit; the chain then holds exactly that deposit.
    let out = ok(
        home,
        s,
        &[
            "proxy",
            "add",
            &delegate_ss58,
            "-w",
            "real",
            "-y",
            "--password-file",
            pwp,
        ],
    );
    assert!(out.contains("Granted in block #"), "{out}");
    let listed: serde_json::Value =
        serde_json::from_str(&ok(home, s, &["proxy", "list", "-w", "real", "--json"])).unwrap();
    assert_eq!(listed["grants"][0]["delegate"], delegate_ss58.as_str());
    assert_eq!(listed["grants"][0]["proxy_type"], "Staking");
    assert_eq!(listed["deposit"], terms.for_count(1).get());
    let (free_granted, reserved) = s.block_on(balances(s, real));
    assert_eq!(reserved - reserved_before, terms.for_count(1).get());
    // Granting the same again is refused before anything is signed.
    let again = taotui(
        home,
        s,
        &[
            "proxy",
            "add",
            &delegate_ss58,
            "-w",
            "real",
            "-y",
            "--password-file",
            pwp,
        ],
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds a Staking proxy"));

    s.block_on(async {
        // The preview is the real coldkey's (its balance, its positions), built from its public key only.
        let prepared = extrinsics::prepare(
            &c,
            real,
            CryptoType::Sr25519,
            Action::AddStake {
                hotkey,
                netuid,
                amount: Rao(5 * TAO),
                mode: StakeMode::Unsafe,
            },
        )
        .await
        .unwrap();
        assert!(
            prepared.preview.is_allowed(),
            "{:?}",
            prepared.preview.refusals
        );
        // Spec 293 has no MevShield: the stake goes in the clear and the preview says so.
        let shield = mev_shield::assess(&c, &prepared, false).await.unwrap();
        assert_eq!(shield.decision, Decision::Clear(ClearReason::NoPallet));
        assert_eq!(shield.line(), "not shielded: this runtime has no MevShield");

        let alpha_before = chain_reads::alpha_of(&c, real, hotkey, netuid).await;
        let (delegate_free_before, _) = balances(s, delegate.public_key()).await;
        let outcome = as_proxy(
            &c,
            &delegate,
            real,
            extrinsics::payload(&prepared.preview.call),
        )
        .await
        .unwrap();
        assert!(outcome.has_event("Proxy", "ProxyExecuted"));
        assert!(outcome.has_event("SubtensorModule", "StakeAdded"));
        let alpha_after = chain_reads::alpha_of(&c, real, hotkey, netuid).await;
        assert!(
            alpha_after > alpha_before,
            "{alpha_before} -> {alpha_after}"
        );
        // The stake came from the real coldkey's free balance, exactly; the fee from the delegate's.
        let (free_staked, _) = balances(s, real).await;
        assert_eq!(free_granted - free_staked, 5 * TAO);
        let (delegate_free_after, _) = balances(s, delegate.public_key()).await;
        assert!(delegate_free_after < delegate_free_before);
        assert!(delegate_free_before - delegate_free_after < TAO / 10);

        // And unstakes half of it, back to the real coldkey's free balance.
        let half = AlphaRao((alpha_after - alpha_before) / 2);
        let unstake = extrinsics::prepare(
            &c,
            real,
            CryptoType::Sr25519,
            Action::RemoveStake {
                hotkey,
                netuid,
                amount: AlphaAmount::Alpha(half),
                mode: StakeMode::Unsafe,
            },
        )
        .await
        .unwrap();
        as_proxy(
            &c,
            &delegate,
            real,
            extrinsics::payload(&unstake.preview.call),
        )
        .await
        .unwrap();
        assert_eq!(
            chain_reads::alpha_of(&c, real, hotkey, netuid).await,
            alpha_after - half.get()
        );
        let (free_unstaked, _) = balances(s, real).await;
        assert!(free_unstaked > free_staked);

        // A transfer of TAO through the Staking proxy: the proxy filter refuses it, nothing moves.
        let transfer = tx::call(
            "Balances",
            "transfer_keep_alive",
            [
                Value::unnamed_variant("Id", [tx::account_arg(delegate.public_key())]),
                Value::u128(u128::from(TAO)),
            ],
        );
        let err = as_proxy(&c, &delegate, real, transfer).await.unwrap_err();
        let TxError::Dispatch { error, .. } = &err else {
            panic!("expected the proxy filter to refuse the transfer, got {err}");
        };
        assert_eq!(error.name(), "System::CallFiltered");
        let sentence = proxy::failure_sentence(error, "Staking");
        assert!(
            sentence.starts_with("The Staking proxy is not allowed to make this call"),
            "{sentence}"
        );
        assert_eq!(balances(s, real).await.0, free_unstaked);
    });

    // Revoke: the grant and its deposit are gone, and the delegate can no longer act.
    let out = ok(
        home,
        s,
        &[
            "proxy",
            "remove",
            &delegate_ss58,
            "-w",
            "real",
            "-y",
            "--password-file",
            pwp,
        ],
    );
    assert!(out.contains("Revoked in block #"), "{out}");
    let listed = ok(home, s, &["proxy", "list", "-w", "real"]);
    assert!(listed.contains("has granted no proxies"), "{listed}");
    assert_eq!(s.block_on(balances(s, real)).1, reserved_before);
    s.block_on(async {
        let stake = tx::call(
            "SubtensorModule",
            "add_stake",
            [
                tx::account_arg(hotkey),
                Value::u128(u128::from(netuid)),
                Value::u128(u128::from(TAO)),
            ],
        );
        let err = as_proxy(&c, &delegate, real, stake).await.unwrap_err();
        assert!(
            err.to_string().contains("NotProxy"),
            "expected Proxy::NotProxy after the revoke, got {err}"
        );
    });
}

#[test]
fn an_unknown_proxy_type_is_refused_with_the_runtimes_types() {
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let c = s.block_on(chain_reads::taotui_client(s.ws_url()));
    let md = c.metadata();
    assert_eq!(proxy::parse_proxy_type(&md, "staking").unwrap(), "Staking");
    assert_eq!(
        proxy::parse_proxy_type(&md, "NONTRANSFER").unwrap(),
        "NonTransfer"
    );
    let err = proxy::parse_proxy_type(&md, "stake")
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"stake\" is not a proxy type"), "{err}");
    assert!(err.contains("Staking") && err.contains("Any"), "{err}");
}
