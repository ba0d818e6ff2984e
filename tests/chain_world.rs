//! Seeds the nominator world once (tests/common/world.rs, built with taotui's own signer and submission code),
//! then checks it with independent dynamic storage reads, and checks that failing extrinsics come back as the
//! right `Pallet::Variant` or pool rejection with a sentence.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

// This binary shares one seeded chain instead of starting its own; naming the macro keeps its re-export used.
#[allow(unused_imports)]
use common::local_chain_or_skip as _;

use common::chain_reads::{self, bytes, number, read};
use common::world::{self, Shared, TAO};
use subxt::dynamic::{At, Value};
use subxt::ext::frame_decode::storage::{IntoDecodableValues, IntoEncodableValues};
use subxt::{OnlineClient, SubstrateConfig};
use taotui::chain::tx::{self, SubmitOptions, TxError, TxStage};

async fn subtensor<K>(api: &OnlineClient<SubstrateConfig>, entry: &str, keys: K) -> Option<Value>
where
    K: IntoEncodableValues + IntoDecodableValues,
{
    read(api, "SubtensorModule", entry, keys).await
}

fn shared() -> Option<&'static Shared> {
    world::shared_or_skip()
}

#[test]
fn seeded_subnets_exist_and_are_started() {
    let Some(shared) = shared() else { return };
    let w = &shared.world;
    assert_eq!(w.subnets.len(), world::SUBNET_COUNT);
    assert_eq!(
        w.netuids(),
        vec![2, 3, 4],
        "genesis holds netuid 1, so ours follow it"
    );
    shared.block_on(async {
        let (api, _rpc) = world::connect(shared.ws_url()).await;
        for subnet in &w.subnets {
            let n = subnet.netuid;
            let added = subtensor(&api, "NetworksAdded", (n,)).await;
            assert_eq!(
                added.and_then(|v| v.as_bool()),
                Some(true),
                "NetworksAdded({n})"
            );
            let first = subtensor(&api, "FirstEmissionBlockNumber", (n,)).await;
            assert!(
                first.is_some(),
                "subnet {n} was never started (no FirstEmissionBlockNumber)"
            );
            let enabled = subtensor(&api, "SubtokenEnabled", (n,)).await;
            assert_eq!(
                enabled.and_then(|v| v.as_bool()),
                Some(true),
                "SubtokenEnabled({n})"
            );
            let owner = subtensor(&api, "SubnetOwner", (n,)).await.unwrap();
            assert_eq!(
                owner.as_bytes_32(),
                Some(subnet.owner_coldkey),
                "SubnetOwner({n})"
            );
        }
        let root = subtensor(&api, "SubtokenEnabled", (0u16,)).await;
        assert_eq!(
            root.and_then(|v| v.as_bool()),
            Some(true),
            "root subtoken was enabled by sudo"
        );
        let unseeded = subtensor(&api, "NetworksAdded", (9u16,)).await;
        assert_ne!(
            unseeded.and_then(|v| v.as_bool()),
            Some(true),
            "netuid 9 was never registered"
        );
    });
}

#[test]
fn validators_are_registered_owned_and_delegates() {
    let Some(shared) = shared() else { return };
    let w = &shared.world;
    assert!(w.validators.len() >= 3);
    for n in w.netuids() {
        let count = w
            .validators
            .iter()
            .filter(|v| v.netuids.contains(&n))
            .count();
        assert_eq!(count, 3, "three validator hotkeys on subnet {n}");
    }
    shared.block_on(async {
        let (api, _rpc) = world::connect(shared.ws_url()).await;
        for v in &w.validators {
            let owner = subtensor(&api, "Owner", (v.hotkey,)).await.unwrap();
            assert_eq!(owner.as_bytes_32(), Some(v.coldkey), "Owner of {}", v.label);
            for &n in &v.netuids {
                let uid = subtensor(&api, "Uids", (n, v.hotkey)).await;
                assert!(uid.is_some(), "{} is not registered on subnet {n}", v.label);
            }
            // root_register puts a hotkey in Delegates and on netuid 0; on spec 293 burned_register alone already
            // creates a Delegates entry (default take), so only the root side tells them apart.
            let delegate = subtensor(&api, "Delegates", (v.hotkey,)).await;
            assert!(delegate.is_some(), "{} has no Delegates entry", v.label);
            let root_uid = subtensor(&api, "Uids", (0u16, v.hotkey)).await;
            assert_eq!(
                root_uid.is_some(),
                v.on_root,
                "root registration of {}",
                v.label
            );
            if let Some(name) = &v.identity {
                let identity = subtensor(&api, "IdentitiesV2", (v.coldkey,)).await.unwrap();
                let stored = identity.at("name").and_then(bytes).unwrap();
                assert_eq!(String::from_utf8(stored).unwrap(), *name);
            }
        }
    });
}

#[test]
fn nominator_holds_every_position() {
    let Some(shared) = shared() else { return };
    let w = &shared.world;
    assert!(w.positions.len() >= 8);
    assert!(w.positions.iter().any(|p| p.netuid == 0), "a root position");
    let nominator = world::nominator_signer();
    assert_eq!(
        nominator.public_key(),
        w.nominator.coldkey,
        "the mnemonic recreates the nominator"
    );
    shared.block_on(async {
        let (api, _rpc) = world::connect(shared.ws_url()).await;
        for p in &w.positions {
            let shares = subtensor(&api, "Alpha", (p.hotkey, w.nominator.coldkey, p.netuid))
                .await
                .unwrap_or_else(|| panic!("no Alpha entry for {p:?}"));
            assert!(number(&shares) > 0, "zero Alpha shares for {p:?}");
            let total = subtensor(&api, "TotalHotkeyAlpha", (p.hotkey, p.netuid))
                .await
                .unwrap();
            assert!(number(&total) > 0, "zero TotalHotkeyAlpha for {p:?}");
        }
        // Root stakes TAO 1:1, so the root positions' alpha is at least what was staked (dividends only add).
        for p in w.positions.iter().filter(|p| p.netuid == 0) {
            let total = subtensor(&api, "TotalHotkeyAlpha", (p.hotkey, 0u16))
                .await
                .unwrap();
            assert!(
                number(&total) >= u128::from(p.tao_staked),
                "root stake of {p:?}"
            );
        }
        let account = read(&api, "System", "Account", (w.nominator.coldkey,))
            .await
            .unwrap();
        let free = account
            .at("data")
            .and_then(|d| d.at("free"))
            .and_then(Value::as_u128)
            .unwrap();
        let staked: u128 = w.positions.iter().map(|p| u128::from(p.tao_staked)).sum();
        let expected = u128::from(w.nominator.funded) - staked;
        // Measured on spec 293: single add_stake calls cost the nominator no transaction fee (the pool takes its
        // fee in alpha), so free is exactly funding minus stakes; a batch may pay a small fee, hence the tolerance.
        assert!(
            free <= expected,
            "free {free} exceeds funding minus stakes {expected}"
        );
        assert!(
            free > expected - u128::from(TAO),
            "free {free} vs {expected}"
        );
    });
}

#[test]
fn validators_have_dividends_after_the_epochs() {
    let Some(shared) = shared() else { return };
    let w = &shared.world;
    shared.block_on(async {
        let (api, _rpc) = world::connect(shared.ws_url()).await;
        for n in w.netuids() {
            let mut paid = Vec::new();
            for v in w.validators.iter().filter(|v| v.netuids.contains(&n)) {
                let dividends = subtensor(&api, "AlphaDividendsPerSubnet", (n, v.hotkey))
                    .await
                    .map_or(0, |d| number(&d));
                let last_epoch = subtensor(&api, "TotalHotkeyAlphaLastEpoch", (v.hotkey, n))
                    .await
                    .map_or(0, |d| number(&d));
                if dividends > 0 {
                    assert!(
                        last_epoch > 0,
                        "{} has dividends on {n} but no last-epoch alpha",
                        v.label
                    );
                    paid.push(v.label.clone());
                }
            }
            assert!(
                !paid.is_empty(),
                "no validator earned dividends on subnet {n}"
            );
            eprintln!("subnet {n}: dividends for {paid:?}");
        }
    });
}

#[test]
fn failing_extrinsics_are_named_with_a_sentence() {
    let Some(shared) = shared() else { return };
    let w = &shared.world;
    let n2 = w.subnets[0].netuid;
    let bob_v1 = w.validator("bob-v1").hotkey;
    shared.block_on(async {
        let (api, rpc) = world::connect(shared.ws_url()).await;
        let opts = SubmitOptions::default();
        let seed = &shared.world;
        eprintln!(
            "world seeded in {:.1} s with {} extrinsics; notes: {:?}",
            seed.seed_time.as_secs_f64(),
            seed.extrinsics,
            seed.notes
        );
        for (step, took) in &seed.steps {
            eprintln!("  {:>6.2} s  {step}", took.as_secs_f64());
        }
        // This test's own account, so other tests' reads are undisturbed.
        let poor = world::signer("//World//poor-staker");
        let alice = world::signer("//Alice");
        let fund = tx::call(
            "Balances",
            "transfer_keep_alive",
            [
                Value::unnamed_variant("Id", [tx::account_arg(poor.public_key())]),
                Value::u128(u128::from(5 * TAO)),
            ],
        );
        let funded = tx::submit(&api, &rpc, &alice, &fund, &opts).await.unwrap();
        assert!(
            funded.has_event("Balances", "Transfer"),
            "{:?}",
            funded.events
        );
        assert!(
            matches!(funded.stages.first(), Some(TxStage::Validated)),
            "{:?}",
            funded.stages
        );
        assert!(
            funded
                .stages
                .iter()
                .any(|s| matches!(s, TxStage::InBlock(h) if *h == funded.block_hash))
        );
        eprintln!(
            "transfer stages: {:?}, finalized: {}, in block after {:?}",
            funded.stages, funded.finalized, funded.time_to_in_block
        );

        // More than the balance.
        let too_much = tx::call(
            "SubtensorModule",
            "add_stake",
            [
                tx::account_arg(bob_v1),
                Value::u128(u128::from(n2)),
                Value::u128(u128::from(1_000 * TAO)),
            ],
        );
        let err = tx::submit(&api, &rpc, &poor, &too_much, &opts)
            .await
            .unwrap_err();
        eprintln!("stake beyond balance: {err}");
        expect_balance_error(&err);

        // A hotkey nobody registered.
        let stranger = world::account("//World//never-registered");
        let unknown = tx::call(
            "SubtensorModule",
            "add_stake",
            [
                tx::account_arg(stranger),
                Value::u128(u128::from(n2)),
                Value::u128(u128::from(TAO)),
            ],
        );
        let err = tx::submit(&api, &rpc, &poor, &unknown, &opts)
            .await
            .unwrap_err();
        eprintln!("stake to unknown hotkey: {err}");
        match &err {
            TxError::Dispatch { error, .. } => {
                assert!(
                    ["HotKeyAccountNotExists", "HotKeyNotRegisteredInSubNet"]
                        .contains(&error.variant.as_str()),
                    "{err}"
                );
                assert_eq!(error.pallet, "SubtensorModule");
                assert!(
                    error.sentence.contains("not registered"),
                    "{}",
                    error.sentence
                );
            }
            TxError::Invalid(r) => {
                assert!(
                    matches!(
                        r.custom_name,
                        Some("HotkeyAccountDoesntExist" | "HotKeyNotRegisteredInNetwork")
                    ),
                    "{err}"
                );
            }
            other => panic!("unexpected error kind: {other}"),
        }

        // A plain dispatch failure: a non-sudo account calling sudo.
        let err = tx::submit_sudo(
            &api,
            &rpc,
            &poor,
            tx::call("AdminUtils", "sudo_set_tx_rate_limit", [Value::u128(0)]),
            &opts,
        )
        .await
        .unwrap_err();
        let chain = err
            .chain_error()
            .unwrap_or_else(|| panic!("expected a dispatch error, got {err}"));
        assert_eq!(chain.name(), "Sudo::RequireSudo");
        assert_eq!(chain.sentence, "Only the chain's sudo key can do this.");
        assert!(err.to_string().contains("Sudo::RequireSudo"), "{err}");

        // A SubtensorModule error at dispatch: the owner starting an already started subnet.
        let err = tx::submit(
            &api,
            &rpc,
            &alice,
            &tx::call(
                "SubtensorModule",
                "start_call",
                [Value::u128(u128::from(n2))],
            ),
            &opts,
        )
        .await
        .unwrap_err();
        eprintln!("start_call on a started subnet: {err}");
        let chain = err
            .chain_error()
            .unwrap_or_else(|| panic!("expected a dispatch error, got {err}"));
        assert_eq!(
            chain.name(),
            "SubtensorModule::FirstEmissionBlockNumberAlreadySet"
        );
        // Not in the sentence table: the sentence comes from the runtime's own documentation of the error.
        assert!(
            chain
                .sentence
                .contains("FirstEmissionBlockNumber is already set"),
            "{}",
            chain.sentence
        );
        let TxError::Dispatch {
            block_hash,
            extrinsic_hash,
            ..
        } = &err
        else {
            unreachable!()
        };
        assert_ne!(block_hash, extrinsic_hash);

        // Sudo's inner call failing is reported from Sudo.Sudid, not as ExtrinsicFailed.
        let err = tx::submit_sudo(
            &api,
            &rpc,
            &alice,
            tx::call(
                "SubtensorModule",
                "start_call",
                [Value::u128(u128::from(n2))],
            ),
            &opts,
        )
        .await
        .unwrap_err();
        eprintln!("start_call under sudo (root origin is not the owner): {err}");
        assert_eq!(
            err.chain_error().map(|e| e.name()).as_deref(),
            Some("DispatchError::BadOrigin"),
            "{err}"
        );

        // Refused by the pool: staking on netuid 1, which genesis registered but never started.
        let err = tx::submit(
            &api,
            &rpc,
            &poor,
            &tx::call(
                "SubtensorModule",
                "add_stake",
                [
                    tx::account_arg(bob_v1),
                    Value::u128(1),
                    Value::u128(u128::from(TAO)),
                ],
            ),
            &opts,
        )
        .await
        .unwrap_err();
        eprintln!("stake on an unstarted subnet: {err}");
        let rejection = err
            .rejection()
            .unwrap_or_else(|| panic!("expected a pool rejection, got {err}"));
        assert_eq!(rejection.reason, "Custom(255)");
        assert_eq!(rejection.custom_name, Some("BadRequest"));
    });
}

#[test]
fn ed25519_keys_sign_transactions_the_chain_accepts() {
    let Some(shared) = shared() else { return };
    shared.block_on(async {
        let (api, rpc) = world::connect(shared.ws_url()).await;
        let opts = SubmitOptions::default();
        // //Bob funds it: no other test signs with //Bob after seeding, so nonces cannot race.
        let bob = world::signer("//Bob");
        let ed = taotui::chain::signer::KeypairSigner::new(
            taotui_keystore::derive::Keypair::from_suri(
                &secrecy::SecretString::from("//World//ed25519".to_owned()),
                taotui_keystore::derive::CryptoType::Ed25519,
            )
            .unwrap(),
        );
        let to = |dest: [u8; 32], amount: u64| {
            tx::call(
                "Balances",
                "transfer_keep_alive",
                [
                    Value::unnamed_variant("Id", [tx::account_arg(dest)]),
                    Value::u128(u128::from(amount)),
                ],
            )
        };
        tx::submit(&api, &rpc, &bob, &to(ed.public_key(), 3 * TAO), &opts)
            .await
            .unwrap();
        let back = tx::submit(&api, &rpc, &ed, &to(bob.public_key(), TAO), &opts)
            .await
            .unwrap();
        assert!(back.has_event("Balances", "Transfer"), "{:?}", back.events);
        let (bytes, hash) = tx::build_signed(&api, &rpc, &ed, &to(bob.public_key(), 1), 64)
            .await
            .unwrap();
        assert!(!bytes.is_empty());
        assert_ne!(
            hash, back.extrinsic_hash,
            "the nonce moved on, so the next extrinsic differs"
        );
    });
}

fn expect_balance_error(err: &TxError) {
    match err {
        TxError::Dispatch { error, .. } => {
            assert_eq!(
                error.name(),
                "SubtensorModule::NotEnoughBalanceToStake",
                "{err}"
            );
            assert!(error.sentence.contains("balance"), "{}", error.sentence);
        }
        TxError::Invalid(r) => {
            assert_eq!(r.custom_name, Some("BalanceTooLow"), "{err}");
            assert!(r.sentence.contains("balance"), "{}", r.sentence);
        }
        other => panic!("unexpected error kind: {other}"),
    }
}

trait Bytes32 {
    fn as_bytes_32(&self) -> Option<[u8; 32]>;
}

impl Bytes32 for Value {
    fn as_bytes_32(&self) -> Option<[u8; 32]> {
        // An AccountId32 decodes as a composite wrapping 32 bytes.
        chain_reads::account32(self)
    }
}
