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

type Payload = subxt::transactions::DynamicPayload<subxt::ext::scale_value::Composite<()>>;

/// Submits `call` on behalf of `real`, signed by `delegate`, through a Staking proxy.
async fn as_proxy(
    c: &ChainClient,
    delegate: &KeypairSigner,
    real: [u8; 32],
    call: Payload,
) -> Result<tx::TxOutcome, TxError> {
    as_proxy_typed(c, delegate, real, "Staking", call).await
}

/// Submits `call` on behalf of `real`, signed by `delegate`, through its grant of `proxy_type`.
async fn as_proxy_typed(
    c: &ChainClient,
    delegate: &KeypairSigner,
    real: [u8; 32],
    proxy_type: &str,
    call: Payload,
) -> Result<tx::TxOutcome, TxError> {
    tx::submit(
        c.api(),
        c.rpc(),
        delegate,
        &proxy::wrap(call, real, Some(proxy_type)),
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
        // Within a rao: blocks the other tests of this binary produce meanwhile can move the share value by
        // rounding.
        let left = chain_reads::alpha_of(&c, real, hotkey, netuid).await;
        assert!(
            left.abs_diff(alpha_after - half.get()) <= 2,
            "{alpha_after} - {} -> {left}",
            half.get()
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

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// `taotui` with its own config folder (for the per-wallet proxy setting).
fn taotui_cfg(home: &Path, s: &Shared, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_taotui"))
        .args(args)
        .arg("--network")
        .arg(s.ws_url())
        .arg("--wallet-path")
        .arg(home.join("wallets"))
        .env("TAOTUI_DATA_DIR", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env_remove("TAOTUI_NETWORK")
        .env_remove("TAOTUI_PASSWORD_FILE")
        .output()
        .expect("running taotui")
}

fn cfg_ok(home: &Path, s: &Shared, args: &[&str]) -> String {
    let out = taotui_cfg(home, s, args);
    assert!(
        out.status.success(),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Fails, and says `expected` on stderr.
fn cfg_refused(home: &Path, s: &Shared, args: &[&str], expected: &str) -> String {
    let out = taotui_cfg(home, s, args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "{args:?} should have failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(stderr.contains(expected), "{args:?}: {stderr}");
    stderr
}

#[test]
fn the_cli_acts_for_a_coldkey_through_its_proxy_and_a_watch_only_wallet_signs_through_its_proxy_key()
 {
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let pid = std::process::id();
    let real_suri = format!("//CliProxyReal{pid}");
    let del_suri = format!("//CliProxyDelegate{pid}");
    let real = world::account(&real_suri);
    let delegate = world::account(&del_suri);
    let real_ss58 = taotui_keystore::ss58::encode(&real, 42);
    let hotkey = s.world.validator("bob-v1").hotkey;
    let hotkey_ss58 = taotui_keystore::ss58::encode(&hotkey, 42);
    // Not the subnet the other test stakes on: another staker on the same position moves its alpha by rounding.
    let netuid = s.world.netuids()[1];
    let netuid_s = netuid.to_string();
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let pw = home.join("pw");
    std::fs::write(&pw, "correct horse battery staple 42\n").unwrap();
    let pwp = pw.to_str().unwrap();
    s.block_on(async {
        let (api, rpc) = world::connect(s.ws_url()).await;
        world::fund_from_alice(&api, &rpc, real, 100 * TAO).await;
        world::fund_from_alice(&api, &rpc, delegate, 10 * TAO).await;
    });
    for (wallet, suri) in [("real", &real_suri), ("del", &del_suri)] {
        let f = home.join(format!("{wallet}.suri"));
        std::fs::write(&f, format!("{suri}\n")).unwrap();
        cfg_ok(
            home,
            s,
            &[
                "wallet",
                "regen-coldkey",
                "-w",
                wallet,
                "--secret-file",
                f.to_str().unwrap(),
                "--password-file",
                pwp,
                "--allow-weak-password",
            ],
        );
    }
    let c = s.block_on(chain_reads::taotui_client(s.ws_url()));
    let stake = |wallet: &str, extra: &[&str], amount: &str| -> Vec<String> {
        let mut a: Vec<String> = [
            "stake",
            "add",
            "-w",
            wallet,
            "--hotkey",
            &hotkey_ss58,
            "--netuid",
            &netuid_s,
            "--amount",
            amount,
            "--unsafe",
            "-y",
            "--password-file",
            pwp,
        ]
        .iter()
        .map(|x| (*x).to_owned())
        .collect();
        a.extend(extra.iter().map(|x| (*x).to_owned()));
        a
    };
    let run_refused = |v: Vec<String>, expected: &str| cfg_refused(home, s, &strs(&v), expected);
    let run_ok = |v: Vec<String>| cfg_ok(home, s, &strs(&v));

    // No grant yet: refused before signing, with the command that grants one; the delegate paid nothing.
    let del_free_0 = s.block_on(balances(s, delegate)).0;
    let err = run_refused(
        stake("del", &["--proxy-for", "real"], "1"),
        "is not a proxy for",
    );
    assert!(err.contains("taotui proxy add"), "{err}");
    assert_eq!(s.block_on(balances(s, delegate)).0, del_free_0);

    cfg_ok(
        home,
        s,
        &[
            "proxy",
            "add",
            "del",
            "-w",
            "real",
            "-y",
            "--password-file",
            pwp,
        ],
    );

    // The delegate stakes for the real coldkey: its alpha grows, its free balance pays exactly the stake, the
    // delegate pays the fee.
    let alpha_0 = s.block_on(chain_reads::alpha_of(&c, real, hotkey, netuid));
    let (real_free_0, _) = s.block_on(balances(s, real));
    let del_free_1 = s.block_on(balances(s, delegate)).0;
    let out = run_ok(stake("del", &["--proxy-for", "real", "--json"], "5"));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["preview"]["call"]["proxy"]["real"], real_ss58.as_str());
    assert_eq!(json["preview"]["call"]["proxy"]["proxy_type"], "Staking");
    let events = json["events"].to_string();
    assert!(events.contains("Proxy.ProxyExecuted"), "{events}");
    assert!(events.contains("SubtensorModule.StakeAdded"), "{events}");
    let alpha_1 = s.block_on(chain_reads::alpha_of(&c, real, hotkey, netuid));
    assert!(alpha_1 > alpha_0, "{alpha_0} -> {alpha_1}");
    assert_eq!(real_free_0 - s.block_on(balances(s, real)).0, 5 * TAO);
    let del_fee = del_free_1 - s.block_on(balances(s, delegate)).0;
    assert!(del_fee > 0 && del_fee < TAO / 10, "delegate fee {del_fee}");
    assert_eq!(
        json["preview"]["fee"].as_u64().unwrap(),
        del_fee,
        "the previewed fee is what the delegate paid"
    );
    // History keeps both: the coldkey acted for, and the delegate.
    let hist: serde_json::Value =
        serde_json::from_str(&cfg_ok(home, s, &["history", "--json"])).unwrap();
    let last = hist.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["coldkey"], real_ss58.as_str(), "{last}");
    assert_eq!(
        last["details"]["proxy_delegate"],
        taotui_keystore::ss58::encode(&delegate, 42).as_str(),
        "{last}"
    );

    // And unstakes half of it, by the real coldkey's address.
    let half = (alpha_1 - alpha_0) / 2;
    let half_text = format!("{}.{:09}", half / TAO, half % TAO);
    cfg_ok(
        home,
        s,
        &[
            "stake",
            "remove",
            "-w",
            "del",
            "--proxy-for",
            &real_ss58,
            "--hotkey",
            &hotkey_ss58,
            "--netuid",
            &netuid_s,
            "--amount",
            &half_text,
            "--unsafe",
            "-y",
            "--password-file",
            pwp,
        ],
    );
    // Half left the position; the subnet's emission may have added a little since it was read.
    let alpha_after = s.block_on(chain_reads::alpha_of(&c, real, hotkey, netuid));
    assert!(
        alpha_after >= alpha_1 - half && alpha_after - (alpha_1 - half) < half / 2,
        "{alpha_1} - {half} -> {alpha_after}"
    );

    // A transfer of TAO is not what a Staking proxy may do: refused before signing, nothing spent.
    let del_free_2 = s.block_on(balances(s, delegate)).0;
    let err = cfg_refused(
        home,
        s,
        &[
            "transfer",
            "-w",
            "del",
            "--proxy-for",
            "real",
            "--dest",
            "del",
            "--amount",
            "1",
            "-y",
            "--password-file",
            pwp,
        ],
        "holds a Staking proxy",
    );
    assert!(
        err.contains("does not allow Balances.transfer_keep_alive"),
        "{err}"
    );
    assert_eq!(s.block_on(balances(s, delegate)).0, del_free_2);
    // Sent anyway (as an older taotui would), the runtime's proxy filter refuses it; the outcome is a failure
    // with the sentence about the proxy type, not a success.
    s.block_on(async {
        let prepared = extrinsics::fetch::prepare_via(
            &c,
            real,
            extrinsics::fetch::Delegate {
                account: delegate,
                crypto: CryptoType::Sr25519,
            },
            Action::Transfer {
                dest: delegate,
                amount: Rao(TAO),
            },
        )
        .await
        .unwrap();
        assert!(
            prepared
                .preview
                .refusals
                .iter()
                .any(|r| r.code == "no_proxy"),
            "{:?}",
            prepared.preview.refusals
        );
        let signer = world::signer(&del_suri);
        let err = extrinsics::send(&c, &prepared, &signer, None, &Default::default())
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("is not allowed to make this call")
                && text.contains("System::CallFiltered"),
            "{text}"
        );
        let real_signer_err = extrinsics::send(
            &c,
            &prepared,
            &world::signer(&real_suri),
            None,
            &Default::default(),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(real_signer_err, extrinsics::ExtrinsicError::WrongKey),
            "{real_signer_err}"
        );
    });

    // A watch-only wallet of the real coldkey, set to sign through the proxy wallet: stakes without the coldkey.
    cfg_ok(
        home,
        s,
        &[
            "wallet",
            "regen-coldkey",
            "-w",
            "watch",
            "--watch-only",
            &real_ss58,
        ],
    );
    std::fs::create_dir_all(home.join("config/taotui")).unwrap();
    std::fs::write(
        home.join("config/taotui/config.toml"),
        "[wallets.watch]\nproxy = \"del\"\n",
    )
    .unwrap();
    let alpha_2 = s.block_on(chain_reads::alpha_of(&c, real, hotkey, netuid));
    let out = run_ok(stake("watch", &[], "2"));
    assert!(out.contains("in block #"), "{out}");
    let alpha_3 = s.block_on(chain_reads::alpha_of(&c, real, hotkey, netuid));
    assert!(alpha_3 > alpha_2, "{alpha_2} -> {alpha_3}");
    let preview = taotui_cfg(home, s, &strs(&stake("watch", &[], "1")));
    assert!(preview.status.success());
    let said = String::from_utf8_lossy(&preview.stderr).into_owned()
        + &String::from_utf8_lossy(&preview.stdout);
    assert!(
        said.contains("signed by proxy \"del\" for wallet \"watch\""),
        "{said}"
    );

    // Revoked: the next attempt is refused before signing.
    cfg_ok(
        home,
        s,
        &[
            "proxy",
            "remove",
            "del",
            "-w",
            "real",
            "-y",
            "--password-file",
            pwp,
        ],
    );
    let del_free_3 = s.block_on(balances(s, delegate)).0;
    run_refused(
        stake("del", &["--proxy-for", "real"], "1"),
        "is not a proxy for",
    );
    run_refused(stake("watch", &[], "1"), "is not a proxy for");
    assert_eq!(s.block_on(balances(s, delegate)).0, del_free_3);
}

fn opts() -> SubmitOptions {
    SubmitOptions {
        wait_for_finalized: false,
        ..SubmitOptions::default()
    }
}

fn transfer(dest: [u8; 32], amount: u64) -> Payload {
    tx::call(
        "Balances",
        "transfer_keep_alive",
        [
            Value::unnamed_variant("Id", [tx::account_arg(dest)]),
            Value::u128(u128::from(amount)),
        ],
    )
}

/// What the runtime's filters let each type through: a `NonTransfer` proxy stakes for the coldkey but its
/// transfer of TAO is refused by the filter (and said as a sentence naming the type); an `Any` proxy transfers.
#[test]
fn a_non_transfer_proxy_stakes_but_cannot_transfer_and_an_any_proxy_can() {
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let pid = std::process::id();
    let real = world::signer(&format!("//FilterReal{pid}"));
    let non_transfer = world::signer(&format!("//FilterNonTransfer{pid}"));
    let any = world::signer(&format!("//FilterAny{pid}"));
    let dest = world::account(&format!("//FilterDest{pid}"));
    let hotkey = s.world.validator("bob-v1").hotkey;
    let netuid = s.world.netuids()[0];
    s.block_on(async {
        let (api, rpc) = world::connect(s.ws_url()).await;
        world::fund_from_alice(&api, &rpc, real.public_key(), 100 * TAO).await;
        world::fund_from_alice(&api, &rpc, non_transfer.public_key(), 10 * TAO).await;
        world::fund_from_alice(&api, &rpc, any.public_key(), 10 * TAO).await;
        let c = chain_reads::taotui_client(s.ws_url()).await;
        for (delegate, ty) in [(&non_transfer, "NonTransfer"), (&any, "Any")] {
            tx::submit(
                c.api(),
                c.rpc(),
                &real,
                &proxy::add_proxy(delegate.public_key(), ty),
                &opts(),
            )
            .await
            .unwrap_or_else(|e| panic!("granting {ty}: {e}"));
        }
        let r = real.public_key();

        // NonTransfer stakes for the coldkey: its position grows.
        let before = chain_reads::alpha_of(&c, r, hotkey, netuid).await;
        let stake = tx::call(
            "SubtensorModule",
            "add_stake",
            [
                tx::account_arg(hotkey),
                Value::u128(u128::from(netuid)),
                Value::u128(u128::from(TAO)),
            ],
        );
        as_proxy_typed(&c, &non_transfer, r, "NonTransfer", stake)
            .await
            .unwrap_or_else(|e| panic!("a NonTransfer proxy should stake: {e}"));
        let after = chain_reads::alpha_of(&c, r, hotkey, netuid).await;
        assert!(after > before, "{before} -> {after}");

        // Its transfer of TAO: refused by the filter, nothing moves, and the sentence names the type.
        let (free, _) = balances(s, r).await;
        let err = as_proxy_typed(&c, &non_transfer, r, "NonTransfer", transfer(dest, TAO))
            .await
            .unwrap_err();
        let TxError::Dispatch { error, .. } = &err else {
            panic!("expected the proxy filter to refuse the transfer, got {err}");
        };
        assert_eq!(error.name(), "System::CallFiltered");
        let sentence = proxy::failure_sentence(error, "NonTransfer");
        assert!(
            sentence.starts_with("The NonTransfer proxy is not allowed to make this call"),
            "{sentence}"
        );
        assert_eq!(balances(s, r).await.0, free);
        assert_eq!(balances(s, dest).await.0, 0);

        // Any transfers: exactly the amount arrives, paid from the real coldkey.
        as_proxy_typed(&c, &any, r, "Any", transfer(dest, TAO))
            .await
            .unwrap_or_else(|e| panic!("an Any proxy should transfer: {e}"));
        assert_eq!(balances(s, dest).await.0, TAO);
        assert_eq!(balances(s, r).await.0, free - TAO);
    });
}

/// The Wallets screen's proxies, run by the app's real worker as the TUI asks: the pane's read, the grant's
/// preview (the deposit it reserves), signing and sending it (progress to a block, a history record), the list
/// read again, then the revocation freeing exactly that deposit.
#[test]
fn the_worker_grants_a_staking_proxy_reserving_the_deposit_shown_and_revoking_it_frees_it() {
    use secrecy::SecretString;
    use taotui::action::{Action, Connection, Effect, GrantRequest, RequestId, TxProgress};
    use taotui::worker::{EffectRunner, Worker};

    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let pid = std::process::id();
    let real_suri = format!("//PaneReal{pid}");
    let real = world::account(&real_suri);
    let real_ss58 = taotui_keystore::ss58::encode(&real, 42);
    let delegate = world::account(&format!("//PaneDelegate{pid}"));
    let delegate_ss58 = taotui_keystore::ss58::encode(&delegate, 42);
    let home = tempfile::tempdir().unwrap();
    let root = taotui_keystore::wallet::WalletRoot::new(home.path().join("wallets"));
    let password = "correct horse battery staple 42";
    taotui::worker::restore_coldkey(
        &root,
        "real",
        &SecretString::from(real_suri.clone()),
        &SecretString::from(password.to_owned()),
        taotui::action::KeyFileFormat::Native,
    )
    .unwrap();
    s.block_on(async {
        let (api, rpc) = world::connect(s.ws_url()).await;
        world::fund_from_alice(&api, &rpc, real, 100 * TAO).await;
    });
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let network: taotui::chain::network::Network = s.ws_url().parse().unwrap();
    let data = home.path().join("data");
    let worker = Worker::new(root, network, None, tx).with_data_dir(data.clone());
    let request = |add: bool| GrantRequest {
        add,
        wallet: "real".to_owned(),
        delegate: delegate_ss58.clone(),
        proxy_type: "Staking".to_owned(),
        delay: 0,
    };
    s.block_on(async {
        worker.start_chain();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(240);
        macro_rules! next {
            () => {
                tokio::time::timeout_at(deadline, rx.recv())
                    .await
                    .expect("no answer within 240 s")
                    .expect("the worker is gone")
            };
        }
        while !matches!(
            next!(),
            Action::ConnectionChanged(Connection::Connected { .. })
        ) {}

        // The pane's read: nothing granted yet, and the runtime's types for the dialog.
        let read = |id: u64| Effect::FetchProxies {
            id: RequestId(id),
            coldkey: real_ss58.clone(),
        };
        worker.run(read(1));
        let list = loop {
            if let Action::ProxiesLoaded {
                id: RequestId(1),
                result,
                ..
            } = next!()
            {
                break result.unwrap();
            }
        };
        assert!(list.grants.is_empty() && list.deposit == 0, "{list:?}");
        assert!(
            list.types.iter().any(|t| t == "Staking")
                && list.types.iter().any(|t| t == "NonTransfer")
        );

        // Grant: the preview's deposit is what the chain reserves, to the rao.
        let (_, reserved_before) = balances(s, real).await;
        let preview = {
            worker.run(Effect::PreviewGrant {
                id: RequestId(2),
                request: request(true),
            });
            loop {
                if let Action::GrantPreviewed {
                    id: RequestId(2),
                    result,
                } = next!()
                {
                    break result.unwrap();
                }
            }
        };
        assert!(preview.refusals.is_empty(), "{preview:?}");
        assert_eq!(preview.deposit_before, Rao::ZERO);
        assert_eq!(
            preview.deposit_after.get(),
            list.deposit_base + list.deposit_factor
        );
        assert!(preview.fee > Rao::ZERO && preview.spendable.get() >= 99 * TAO);
        worker.run(Effect::SubmitGrant {
            id: RequestId(3),
            preview: RequestId(2),
            request: request(true),
            password: SecretString::from(password.to_owned()),
        });
        let mut progress = Vec::new();
        let done = loop {
            match next!() {
                Action::TxProgress {
                    id: RequestId(3),
                    progress: p,
                } => progress.push(p),
                Action::TxDone {
                    id: RequestId(3),
                    result,
                } => break result,
                _ => {}
            }
        };
        let done = done.unwrap_or_else(|e| panic!("the grant failed: {e}"));
        assert!(
            done.starts_with("Done: Proxy.add_proxy in block #"),
            "{done}"
        );
        assert!(progress.contains(&TxProgress::Submitted), "{progress:?}");
        assert!(
            progress
                .iter()
                .any(|p| matches!(p, TxProgress::InBlock { .. })),
            "{progress:?}"
        );
        let (_, reserved) = balances(s, real).await;
        assert_eq!(reserved - reserved_before, preview.deposit_after.get());

        worker.run(read(4));
        let list = loop {
            if let Action::ProxiesLoaded {
                id: RequestId(4),
                result,
                ..
            } = next!()
            {
                break result.unwrap();
            }
        };
        assert_eq!(list.grants.len(), 1, "{list:?}");
        assert_eq!(list.grants[0].delegate, delegate);
        assert_eq!(
            (list.grants[0].proxy_type.as_str(), list.grants[0].delay),
            ("Staking", 0)
        );
        assert_eq!(list.deposit, preview.deposit_after.get());
        // The history records it like every other transaction.
        let records = taotui::chain::history::History::at(&data)
            .transactions()
            .unwrap();
        assert!(
            records.iter().any(|r| r.call == "Proxy.add_proxy"
                && r.coldkey == real_ss58
                && r.block_number.is_some()),
            "{records:?}"
        );

        // Granting it again is refused in the preview; the revocation frees exactly the deposit.
        worker.run(Effect::PreviewGrant {
            id: RequestId(5),
            request: request(true),
        });
        let again = loop {
            if let Action::GrantPreviewed {
                id: RequestId(5),
                result,
            } = next!()
            {
                break result.unwrap();
            }
        };
        assert!(
            again.refusals[0].contains("already holds a Staking proxy"),
            "{again:?}"
        );
        worker.run(Effect::PreviewGrant {
            id: RequestId(6),
            request: request(false),
        });
        let revoke = loop {
            if let Action::GrantPreviewed {
                id: RequestId(6),
                result,
            } = next!()
            {
                break result.unwrap();
            }
        };
        assert!(revoke.refusals.is_empty(), "{revoke:?}");
        assert_eq!(
            (revoke.deposit_before, revoke.deposit_after),
            (preview.deposit_after, Rao::ZERO)
        );
        worker.run(Effect::SubmitGrant {
            id: RequestId(7),
            preview: RequestId(6),
            request: request(false),
            password: SecretString::from(password.to_owned()),
        });
        let done = loop {
            if let Action::TxDone {
                id: RequestId(7),
                result,
            } = next!()
            {
                break result;
            }
        };
        assert!(done.unwrap().starts_with("Done: Proxy.remove_proxy"));
        assert_eq!(balances(s, real).await.1, reserved_before);
        worker.run(read(8));
        let list = loop {
            if let Action::ProxiesLoaded {
                id: RequestId(8),
                result,
                ..
            } = next!()
            {
                break result.unwrap();
            }
        };
        assert!(list.grants.is_empty() && list.deposit == 0, "{list:?}");

        // `o` in the dialog: the grant written for the offline machine holding the coldkey, nothing sent.
        worker.run(Effect::WriteGrantUnsigned {
            id: RequestId(9),
            request: request(true),
        });
        let file = loop {
            if let Action::UnsignedWritten {
                id: RequestId(9),
                result,
            } = next!()
            {
                break result.unwrap_or_else(|e| panic!("writing the unsigned grant: {e}"));
            }
        };
        assert_eq!(
            (file.call.as_str(), file.signer.as_str()),
            ("Proxy.add_proxy", real_ss58.as_str())
        );
        assert!(
            std::path::Path::new(&file.path).starts_with(data.join("offline")),
            "{}",
            file.path
        );
        let written: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file.path).unwrap()).unwrap();
        assert_eq!(written["call"]["name"], "add_proxy", "{written}");
        assert_eq!(balances(s, real).await.1, reserved_before);
    });
}
