//! `Utility.batch_all` on the real spec-293 runtime: unstake + stake + a leg that fails land all-or-nothing, so
//! every position and the free balance (but for the fee) are as before.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

#[allow(unused_imports)]
use common::local_chain_or_skip as _;

use common::chain_reads;
use common::world::{self, TAO};
use subxt::dynamic::Value;
use taotui::chain::batch;
use taotui::chain::tx::{self, SubmitOptions, TxError};

fn opts() -> SubmitOptions {
    SubmitOptions {
        wait_for_finalized: false,
        ..SubmitOptions::default()
    }
}

fn add_stake(
    hotkey: [u8; 32],
    netuid: u16,
    rao: u64,
) -> subxt::transactions::DynamicPayload<subxt::ext::scale_value::Composite<()>> {
    tx::call(
        "SubtensorModule",
        "add_stake",
        [
            tx::account_arg(hotkey),
            Value::u128(u128::from(netuid)),
            Value::u128(u128::from(rao)),
        ],
    )
}

#[test]
fn one_failing_leg_leaves_every_position_and_the_balance_unchanged() {
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let who = world::signer(&format!("//BatchTest{}", std::process::id()));
    let bob_v1 = s.world.validator("bob-v1").hotkey;
    let netuid = s.world.netuids()[0];
    s.block_on(async {
        let (api, rpc) = world::connect(s.ws_url()).await;
        world::fund_from_alice(&api, &rpc, who.public_key(), 100 * TAO).await;
        let c = chain_reads::taotui_client(s.ws_url()).await;
        tx::submit(
            &api,
            &rpc,
            &who,
            &add_stake(bob_v1, netuid, 10 * TAO),
            &opts(),
        )
        .await
        .unwrap();
        let alpha_before = chain_reads::alpha_of(&c, who.public_key(), bob_v1, netuid).await;
        let free_before = chain_reads::free_at(&api, None, who.public_key()).await;
        assert!(alpha_before > 0);

        let legs = vec![
            tx::call(
                "SubtensorModule",
                "remove_stake",
                [
                    tx::account_arg(bob_v1),
                    Value::u128(u128::from(netuid)),
                    Value::u128(u128::from(alpha_before / 2)),
                ],
            ),
            add_stake(bob_v1, netuid, 5 * TAO),
            // A hotkey nobody registered: this leg fails, so the whole batch must.
            add_stake([0xee; 32], netuid, 5 * TAO),
        ];
        let err = tx::submit(&api, &rpc, &who, &batch::batch_all(legs), &opts())
            .await
            .unwrap_err();
        let TxError::Dispatch { error, .. } = &err else {
            panic!("expected the batch to fail on chain, got {err}");
        };
        assert_eq!(error.pallet, "SubtensorModule", "{error}");
        assert_eq!(
            chain_reads::alpha_of(&c, who.public_key(), bob_v1, netuid).await,
            alpha_before,
            "the unstake leg was not reverted"
        );
        let free_after = chain_reads::free_at(&api, None, who.public_key()).await;
        let fee = free_before - free_after;
        assert!(fee > 0 && fee < TAO / 10, "only the fee may leave: {fee}");

        // The same batch without the failing leg lands whole.
        let legs = vec![
            tx::call(
                "SubtensorModule",
                "remove_stake",
                [
                    tx::account_arg(bob_v1),
                    Value::u128(u128::from(netuid)),
                    Value::u128(u128::from(alpha_before / 2)),
                ],
            ),
            add_stake(bob_v1, netuid, 5 * TAO),
        ];
        let outcome = tx::submit(&api, &rpc, &who, &batch::batch_all(legs), &opts())
            .await
            .unwrap();
        assert!(outcome.has_event("Utility", "BatchCompleted"));
        assert!(outcome.has_event("SubtensorModule", "StakeRemoved"));
        assert!(outcome.has_event("SubtensorModule", "StakeAdded"));
    });
}

fn taotui(home: &std::path::Path, s: &world::Shared, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_taotui"))
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

#[test]
fn stake_batch_file_lands_whole_and_a_bad_leg_changes_nothing_and_is_named() {
    use taotui::amount::{AlphaRao, Rao};
    use taotui::chain::extrinsics::{self, Action, AlphaAmount, StakeMode};
    use taotui_keystore::derive::CryptoType;

    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let suri = format!("//BatchCli{}", std::process::id());
    let who = world::signer(&suri);
    let me = who.public_key();
    let bob_v1 = s.world.validator("bob-v1").hotkey;
    let bob_v2 = s.world.validator("bob-v2").hotkey;
    // Not bob-v1 on the first subnet, where the other test stakes at the same time (its alpha would move ours
    // by rounding): here bob-v1 on the second and third subnets, bob-v2 on the second.
    let [n2, n3] = [s.world.netuids()[1], s.world.netuids()[2]];
    let ss58 = |a: &[u8; 32]| taotui_keystore::ss58::encode(a, 42);
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let pw = home.join("pw");
    std::fs::write(&pw, "correct horse battery staple 42\n").unwrap();
    let pwp = pw.to_str().unwrap();
    let suri_file = home.join("suri");
    std::fs::write(&suri_file, format!("{suri}\n")).unwrap();
    let out = taotui(
        home,
        s,
        &[
            "wallet",
            "regen-coldkey",
            "-w",
            "b",
            "--secret-file",
            suri_file.to_str().unwrap(),
            "--password-file",
            pwp,
            "--allow-weak-password",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let c = s.block_on(async {
        let (api, rpc) = world::connect(s.ws_url()).await;
        world::fund_from_alice(&api, &rpc, me, 100 * TAO).await;
        tx::submit(&api, &rpc, &who, &add_stake(bob_v1, n2, 10 * TAO), &opts())
            .await
            .unwrap();
        chain_reads::taotui_client(s.ws_url()).await
    });
    let alpha = |h: [u8; 32], n: u16| s.block_on(chain_reads::alpha_of(&c, me, h, n));
    let free = || {
        s.block_on(async {
            let (api, _) = world::connect(s.ws_url()).await;
            chain_reads::free_at(&api, None, me).await
        })
    };
    let a_v1_n2 = alpha(bob_v1, n2);
    let (a_v1_n3, a_v2_n2) = (alpha(bob_v1, n3), alpha(bob_v2, n2));
    let third = a_v1_n2 / 3;
    let text = |a: u64| format!("{}.{:09}", a / TAO, a % TAO);

    // Unstake + stake + move in one TOML file: one batch, all three land.
    let good = home.join("rebalance.toml");
    std::fs::write(
        &good,
        format!(
            "[[legs]]\naction = \"remove\"\nhotkey = \"{v1}\"\nnetuid = {n2}\namount = \"{third}\"\nunsafe = true\n\n\
             [[legs]]\naction = \"add\"\nhotkey = \"{v1}\"\nnetuid = {n3}\namount = 3\nunsafe = true\n\n\
             [[legs]]\naction = \"move\"\nfrom = \"{v1}\"\nto = \"{v2}\"\nnetuid = {n2}\namount = \"{third}\"\n",
            v1 = ss58(&bob_v1),
            v2 = ss58(&bob_v2),
            third = text(third),
        ),
    )
    .unwrap();
    let free_0 = free();
    let out = taotui(
        home,
        s,
        &[
            "stake",
            "batch",
            good.to_str().unwrap(),
            "-w",
            "b",
            "-y",
            "--password-file",
            pwp,
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1, "one batch");
    let events = json[0]["events"].to_string();
    assert!(events.contains("Utility.BatchCompleted"), "{events}");
    assert_eq!(json[0]["legs"].as_array().unwrap().len(), 3);
    let leg_total: u64 = json[0]["legs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["tao_spent"].as_u64().unwrap())
        .sum();
    assert_eq!(json[0]["preview"]["tao_spent"].as_u64().unwrap(), leg_total);
    assert_eq!(leg_total, 3 * TAO);
    // Each leg took effect, in one extrinsic.
    assert!(alpha(bob_v1, n2) <= a_v1_n2 - 2 * third + 1);
    assert!(alpha(bob_v1, n3) > a_v1_n3);
    assert!(alpha(bob_v2, n2) > a_v2_n2);
    let fee = json[0]["preview"]["fee"].as_u64().unwrap();
    let free_1 = free();
    // Free balance: -3 staked, -fee, + what the unstake leg returned.
    assert!(free_1 + 3 * TAO + fee > free_0, "{free_0} -> {free_1}");

    // A bad third leg (it unstakes from the position the first leg emptied): refused before signing, named.
    let (b_v1_n2, b_v1_n3) = (alpha(bob_v1, n2), alpha(bob_v1, n3));
    let bad = home.join("bad.json");
    std::fs::write(
        &bad,
        serde_json::json!([
            {"action": "remove", "hotkey": ss58(&bob_v1), "netuid": n2, "all": true, "unsafe": true},
            {"action": "add", "hotkey": ss58(&bob_v1), "netuid": n3, "amount": 1, "unsafe": true},
            {"action": "remove", "hotkey": ss58(&bob_v1), "netuid": n2, "amount": "1", "unsafe": true},
        ])
        .to_string(),
    )
    .unwrap();
    let out = taotui(
        home,
        s,
        &[
            "stake",
            "batch",
            bad.to_str().unwrap(),
            "-w",
            "b",
            "-y",
            "--password-file",
            pwp,
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("not sent: Leg 3:"), "{stderr}");
    assert_eq!(free(), free_1);

    // Sent anyway (the chain is the judge): batch_all fails as a whole, nothing changes but the fee, and the
    // failed leg is named.
    s.block_on(async {
        let legs = vec![
            Action::RemoveStake {
                hotkey: bob_v1,
                netuid: n2,
                amount: AlphaAmount::All,
                mode: StakeMode::Unsafe,
            },
            Action::AddStake {
                hotkey: bob_v1,
                netuid: n3,
                amount: Rao(TAO),
                mode: StakeMode::Unsafe,
            },
            Action::RemoveStake {
                hotkey: bob_v1,
                netuid: n2,
                amount: AlphaAmount::Alpha(AlphaRao(TAO)),
                mode: StakeMode::Unsafe,
            },
        ];
        let prepared = extrinsics::fetch::prepare_batch(&c, me, CryptoType::Sr25519, legs, None)
            .await
            .unwrap();
        assert_eq!(prepared.legs.len(), 3);
        assert!(prepared.legs[0].refusals.is_empty() && prepared.legs[1].refusals.is_empty());
        assert!(
            !prepared.legs[2].refusals.is_empty(),
            "{:?}",
            prepared.legs[2]
        );
        let err = extrinsics::send(&c, &prepared, &who, None, &Default::default())
            .await
            .unwrap_err();
        let extrinsics::ExtrinsicError::Tx(TxError::Dispatch { error, .. }) = &err else {
            panic!("expected the batch to fail on chain, got {err}");
        };
        let sentence = batch::failed_leg_sentence(&prepared.legs, error);
        assert!(
            sentence.starts_with("Leg 3 (SubtensorModule.remove_stake) failed"),
            "{sentence}"
        );
    });
    assert_eq!(alpha(bob_v1, n2), b_v1_n2, "the first leg was reverted");
    assert_eq!(alpha(bob_v1, n3), b_v1_n3, "the second leg was reverted");
    let fee = free_1 - free();
    assert!(fee > 0 && fee < TAO / 10, "only the fee may leave: {fee}");
}

#[test]
fn more_than_sixteen_legs_need_split_and_are_said_not_atomic_together() {
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let file = home.join("many.json");
    let hotkey = taotui_keystore::ss58::encode(&s.world.validator("bob-v1").hotkey, 42);
    let legs: Vec<serde_json::Value> = (0..17)
        .map(|_| serde_json::json!({"action": "add", "hotkey": hotkey, "netuid": s.world.netuids()[0], "amount": "0.01"}))
        .collect();
    std::fs::write(&file, serde_json::Value::from(legs).to_string()).unwrap();
    let out = taotui(
        home,
        s,
        &["stake", "batch", file.to_str().unwrap(), "-w", "nobody"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("17 legs, more than the 16"), "{stderr}");
    assert!(stderr.contains("--split"), "{stderr}");
    assert!(stderr.contains("not together"), "{stderr}");
}
