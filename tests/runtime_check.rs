//! The feature table against real Subtensor metadata: spec 346, 365, 393 and 424 from ../shared/chain, a
//! "475-shaped" runtime derived from 424, and spec 293 from the local chain. Doctored copies prove that a missing or
//! reshaped item switches off exactly the features that declare it, with a sentence naming it, and nothing else.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use common::metadata_edit::{
    FILES, SPEC424, bool_type_id, call_variants, read_or_skip, rebuild, remove_item, shaped_475,
    v16,
};
use scale_info::TypeDef;
use subxt::Metadata;
use taotui::chain::client::{ChainClient, ConnectOptions};
use taotui::chain::error::ChainError;
use taotui::chain::features::{self, CONNECT, Feature, FeatureTable, Need, Status};
use taotui::chain::network::Network;
use taotui::chain::runtime_check::Item;

fn off(table: &FeatureTable) -> BTreeSet<&'static str> {
    table.off_ids().into_iter().collect()
}

/// Features that are off on every runtime we hold the metadata of (locks exist from 424 only).
fn off_by_nature(spec: u32) -> BTreeSet<&'static str> {
    if spec >= 424 {
        BTreeSet::new()
    } else {
        BTreeSet::from(["locks"])
    }
}

#[test]
fn every_shared_metadata_file_runs_the_nominator_core() {
    for (name, spec) in FILES {
        let Some(bytes) = read_or_skip("every_shared_metadata_file_runs_the_nominator_core", name)
        else {
            return;
        };
        let metadata = Metadata::decode_from(&bytes[..]).unwrap();
        let table = FeatureTable::build(&metadata, spec);
        assert!(
            table.core_works(),
            "spec {spec}: {:?}",
            table.off_sentences()
        );
        assert_eq!(
            off(&table),
            off_by_nature(spec),
            "spec {spec}: {:?}",
            table.off_sentences()
        );
        let caps = table.capabilities();
        // What the files are known to contain (RUNTIME-CHANGES.md).
        assert!(caps.sim_swap, "spec {spec} has SwapRuntimeApi.sim_swap_*");
        assert!(caps.current_alpha_price && caps.transfer_stake && caps.stake_fee);
        assert!(caps.remove_stake_full_limit, "spec {spec}");
        assert!(!caps.move_stake_limit, "move_stake_limit came after 424");
        assert!(
            !caps.tao_dividends_per_subnet,
            "TaoDividendsPerSubnet is gone after 293"
        );
        assert_eq!(
            caps.root_alpha_dividends_per_subnet,
            spec >= 365,
            "spec {spec}"
        );
        assert_eq!(caps.subnet_identities_v2, spec <= 346, "spec {spec}");
        assert_eq!(caps.current_alpha_price_all, spec >= 393, "spec {spec}");
        assert_eq!(caps.stake_availability, spec >= 424, "spec {spec}");
        assert_eq!(
            caps.swap_v3_price,
            spec < 424,
            "424 replaced the V3 pool with a weighted one"
        );
    }
}

/// Finney at 473+ removed `Alpha`, `TotalHotkeyShares`, `RootClaimType` and `NumRootClaim`; taotui refused to start
/// on such a runtime. On the 475-shaped metadata every feature must stand exactly as on 424.
#[test]
fn a_475_shaped_runtime_keeps_every_feature() {
    let Some(bytes) = read_or_skip("a_475_shaped_runtime_keeps_every_feature", SPEC424) else {
        return;
    };
    let table_424 = FeatureTable::build(&Metadata::decode_from(&bytes[..]).unwrap(), 424);
    let table_475 = FeatureTable::build(&rebuild(shaped_475(&bytes)), 475);
    assert!(table_475.core_works());
    assert!(table_475.require(&CONNECT).is_ok());
    let statuses = |t: &FeatureTable| -> Vec<(&str, Status)> {
        t.statuses()
            .iter()
            .map(|(f, s)| (f.id, s.clone()))
            .collect()
    };
    assert_eq!(statuses(&table_475), statuses(&table_424));
    assert_eq!(table_475.capabilities(), table_424.capabilities());
}

/// The items a feature cannot work without (its `Need::Item`s and the only alternative of an `AnyOf`).
fn required_items(f: &Feature) -> Vec<Item> {
    f.needs
        .iter()
        .filter_map(|n| match n {
            Need::Item(i) => Some(*i),
            Need::AnyOf { alternatives, .. }
                if alternatives.len() == 1 && alternatives[0].len() == 1 =>
            {
                Some(alternatives[0][0])
            }
            _ => None,
        })
        .collect()
}

fn item_owner_and_name(item: &Item) -> (&'static str, &'static str) {
    match *item {
        Item::Call { pallet, name, .. }
        | Item::Storage { pallet, name, .. }
        | Item::Constant { pallet, name, .. } => (pallet, name),
        Item::Api { api, method, .. } => (api, method),
    }
}

/// For every item some feature requires: remove it from metadata 424 and check that exactly the features that
/// require it go off, each naming the item, and everything else still works.
#[test]
fn removing_one_item_switches_off_only_the_features_that_need_it() {
    let Some(bytes) = read_or_skip(
        "removing_one_item_switches_off_only_the_features_that_need_it",
        SPEC424,
    ) else {
        return;
    };
    let all = features::all();
    let mut items: Vec<Item> = all.iter().flat_map(|f| required_items(f)).collect();
    items.sort_by_key(|i| i.path());
    items.dedup_by_key(|i| i.path());
    assert!(
        items.len() > 30,
        "the features declare their items: {}",
        items.len()
    );
    let mut checked = 0;
    for item in items {
        let (owner, name) = item_owner_and_name(&item);
        let mut m = v16(&bytes);
        if !remove_item(&mut m, owner, name) {
            // Declared but absent in 424 (locks-era items are present; older alternatives may not be).
            continue;
        }
        let table = FeatureTable::build(&rebuild(m), 499);
        let expected: BTreeSet<&str> = all
            .iter()
            .filter(|f| required_items(f).iter().any(|i| i.path() == item.path()))
            .map(|f| f.id)
            .collect();
        assert_eq!(off(&table), expected, "removing {}", item.path());
        for id in &expected {
            let f = all.iter().find(|f| f.id == *id).unwrap();
            let err = table.require(f).expect_err("an off feature refuses");
            let text = err.to_string();
            assert!(
                text.contains(&item.path()) && text.contains("on runtime 499"),
                "removing {}: {text}",
                item.path()
            );
        }
        checked += 1;
    }
    assert!(checked > 30, "checked {checked} items");
}

#[test]
fn changed_argument_type_is_named() {
    let Some(bytes) = read_or_skip("changed_argument_type_is_named", SPEC424) else {
        return;
    };
    let mut m = v16(&bytes);
    let bool_id = bool_type_id(&m);
    let add_stake = call_variants(&mut m, "SubtensorModule")
        .iter_mut()
        .find(|v| v.name == "add_stake")
        .unwrap();
    add_stake.fields[1].ty = bool_id.into();
    let table = FeatureTable::build(&rebuild(m), 494);
    assert_eq!(off(&table), BTreeSet::from(["stake.add"]));
    assert!(!table.core_works(), "staking is part of the core");
    let text = table
        .require(&taotui::chain::extrinsics::needs::STAKE_ADD)
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("SubtensorModule.add_stake (argument 2 (netuid) is now bool; expected an unsigned integer) on runtime 494"),
        "{text}"
    );
}

#[test]
fn added_argument_is_named() {
    let Some(bytes) = read_or_skip("added_argument_is_named", SPEC424) else {
        return;
    };
    let mut m = v16(&bytes);
    let bool_id = bool_type_id(&m);
    let call = call_variants(&mut m, "SubtensorModule")
        .iter_mut()
        .find(|v| v.name == "remove_stake_limit")
        .unwrap();
    let mut extra = call.fields[4].clone();
    extra.name = Some("rate_tolerance".into());
    extra.ty = bool_id.into();
    call.fields.push(extra);
    let table = FeatureTable::build(&rebuild(m), 494);
    assert_eq!(off(&table), BTreeSet::from(["stake.remove"]));
    assert!(
        table.off_sentences()[0].contains("now takes 6 arguments"),
        "{:?}",
        table.off_sentences()
    );
}

/// An optional item in a new shape is not used (the feature works without it) and says so.
#[test]
fn reshaped_optional_item_reduces_a_feature_without_switching_it_off() {
    let Some(bytes) = read_or_skip("reshaped_optional_item_reduces_a_feature", SPEC424) else {
        return;
    };
    let mut m = v16(&bytes);
    let bool_id = bool_type_id(&m);
    let call = call_variants(&mut m, "SubtensorModule")
        .iter_mut()
        .find(|v| v.name == "remove_stake_full_limit")
        .unwrap();
    call.fields[0].ty = bool_id.into();
    let table = FeatureTable::build(&rebuild(m), 494);
    assert!(off(&table).is_empty(), "{:?}", table.off_sentences());
    match table.status(&taotui::chain::extrinsics::needs::STAKE_REMOVE) {
        Status::Reduced(notes) => {
            assert!(notes[0].contains("remove_stake_full_limit"), "{notes:?}")
        }
        other => panic!("expected reduced, got {other:?}"),
    }
    assert!(
        !table.capabilities().remove_stake_full_limit,
        "a reshaped call is never used"
    );
}

/// Prices have three sources; only losing all three switches prices off.
#[test]
fn prices_fall_back_through_their_sources() {
    let Some(bytes) = read_or_skip("prices_fall_back_through_their_sources", SPEC424) else {
        return;
    };
    let mut m = v16(&bytes);
    assert!(remove_item(
        &mut m,
        "SwapRuntimeApi",
        "current_alpha_price_all"
    ));
    let t = FeatureTable::build(&rebuild(m.clone()), 494);
    assert!(
        off(&t).is_empty()
            && !t.capabilities().current_alpha_price_all
            && t.capabilities().current_alpha_price
    );
    assert!(remove_item(&mut m, "SwapRuntimeApi", "current_alpha_price"));
    let t = FeatureTable::build(&rebuild(m.clone()), 494);
    assert!(off(&t).is_empty(), "the pool storage is the last source");
    assert!(remove_item(&mut m, "SubtensorModule", "SubnetTAO"));
    let t = FeatureTable::build(&rebuild(m), 494);
    assert!(off(&t).contains("prices"));
    let sentence = t.off_sentences().join(" | ");
    assert!(
        sentence.contains("prices need a price source"),
        "{sentence}"
    );
    assert!(sentence.contains("SubtensorModule.SubnetTAO"), "{sentence}");
}

#[test]
fn removing_what_every_screen_needs_refuses_the_connection() {
    let Some(bytes) = read_or_skip("removing_what_every_screen_needs", SPEC424) else {
        return;
    };
    let mut m = v16(&bytes);
    assert!(remove_item(&mut m, "Balances", "ExistentialDeposit"));
    let table = FeatureTable::build(&rebuild(m), 494);
    let mismatches = table.connect_mismatches();
    assert_eq!(mismatches.len(), 1);
    let err = ChainError::runtime_changed(494, &mismatches);
    assert!(
        err.to_string().starts_with(
            "runtime 494 changed Balances.ExistentialDeposit: the runtime has no such constant"
        ),
        "{err}"
    );
}

#[test]
fn dropped_struct_field_is_named() {
    let Some(bytes) = read_or_skip("dropped_struct_field_is_named", SPEC424) else {
        return;
    };
    let mut m = v16(&bytes);
    // StakeInfo loses its `stake` field: the app reads it, so positions must go off (and nothing else).
    for t in &mut m.types.types {
        if t.ty.path.segments.last().map(String::as_str) == Some("StakeInfo")
            && let TypeDef::Composite(c) = &mut t.ty.type_def
        {
            c.fields.retain(|f| f.name.as_deref() != Some("stake"));
        }
    }
    let table = FeatureTable::build(&rebuild(m), 494);
    assert_eq!(off(&table), BTreeSet::from(["positions"]));
    let text = table.off_sentences().join(" ");
    assert!(
        text.contains("StakeInfoRuntimeApi.get_stake_info_for_coldkey ("),
        "{text}"
    );
    assert!(text.contains("without a field stake"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_chain_spec_293_runs_the_core() {
    let chain = common::local_chain_or_skip!();
    let network: Network = chain.ws_url().parse().unwrap();
    let client = ChainClient::connect(&network, ConnectOptions::default())
        .await
        .expect("connecting to spec 293 works");
    assert_eq!(client.spec_version(), 293);
    let table = client.features();
    assert!(table.core_works(), "{:?}", table.off_sentences());
    let fresh = FeatureTable::build(&client.metadata(), 293);
    assert_eq!(fresh.off_ids(), table.off_ids());
    assert_eq!(
        off(&table),
        BTreeSet::from(["locks"]),
        "{:?}",
        table.off_sentences()
    );
    // Spec 293 never prunes subnets: no `get_subnet_to_prune` and no `SubnetLimit`, yet the standing works (the
    // rule is "not pruned").
    assert!(!table.usable(&taotui::chain::queries::needs::GET_SUBNET_TO_PRUNE.path()));
    assert!(!table.usable(&taotui::chain::queries::needs::SUBNET_LIMIT.path()));
    assert!(
        table
            .status(&taotui::chain::queries::needs::RISK_DEREG)
            .works()
    );
    let caps = client.capabilities();
    // Spec 293 predates the swap simulation API and still has TAO root dividends.
    assert!(!caps.sim_swap);
    assert!(caps.current_alpha_price);
    assert!(caps.tao_dividends_per_subnet);
    assert!(!caps.root_alpha_dividends_per_subnet);
    assert!(caps.subnet_identities_v2);
    assert!(!caps.stake_availability);
    let locks = client
        .require(&taotui::chain::queries::needs::LOCKS)
        .unwrap_err();
    assert!(
        locks.to_string().starts_with(
            "stake locks need StakeInfoRuntimeApi.get_stake_availability_for_coldkeys (the runtime API has no such method) on runtime 293"
        ),
        "{locks}"
    );
}

/// A value of type `id` for encoding: named struct fields from `named` (by field name), every other integer 0.
/// Panics on a shape the preview could not read (the point of the test).
fn value_of(
    types: &scale_info::PortableRegistry,
    id: u32,
    named: &[(&str, u128)],
    here: Option<&str>,
) -> subxt::dynamic::Value {
    use subxt::dynamic::Value;
    let ty = types
        .resolve(id)
        .unwrap_or_else(|| panic!("type {id} missing"));
    match &ty.type_def {
        TypeDef::Primitive(_) | TypeDef::Compact(_) => Value::u128(
            here.and_then(|h| named.iter().find(|(n, _)| *n == h))
                .map_or(0, |(_, v)| *v),
        ),
        TypeDef::Composite(c)
            if c.fields.iter().all(|f| f.name.is_some()) && c.fields.len() > 1 =>
        {
            Value::named_composite(c.fields.iter().map(|f| {
                let name = f.name.clone().unwrap();
                let v = value_of(types, f.ty.id, named, Some(&name));
                (name, v)
            }))
        }
        // Newtypes (`TaoCurrency(u64)`, `NetUid(u16)`) carry the value of the field they wrap.
        TypeDef::Composite(c) if c.fields.len() == 1 => {
            value_of(types, c.fields[0].ty.id, named, here)
        }
        other => panic!("unexpected shape in SimSwapResult: {other:?}"),
    }
}

/// Spec 293 has no `SwapRuntimeApi.sim_swap_*`; the newer runtimes do. The preview's arguments must encode as
/// those runtimes' input types, and their `SimSwapResult` (built here per each runtime's own type) must decode to
/// the amounts the preview then shows.
#[test]
fn sim_swap_arguments_and_results_follow_the_newer_runtimes() {
    use taotui::chain::extrinsics::SimQuote;
    use taotui::chain::extrinsics::fetch::{decode_sim_output, sim_swap_args};
    for (name, spec) in FILES {
        let Some(bytes) = read_or_skip(
            "sim_swap_arguments_and_results_follow_the_newer_runtimes",
            name,
        ) else {
            return;
        };
        let md = Metadata::decode_from(&bytes).unwrap();
        let api = md.runtime_api_trait_by_name("SwapRuntimeApi").unwrap();
        for method in ["sim_swap_tao_for_alpha", "sim_swap_alpha_for_tao"] {
            let m = api
                .method_by_name(method)
                .unwrap_or_else(|| panic!("spec {spec} has no {method}"));
            // Inputs: taotui's bytes equal the values encoded per the metadata's input types.
            let inputs: Vec<_> = m.inputs().map(|i| (i.name.to_string(), i.id)).collect();
            assert_eq!(inputs.len(), 2, "spec {spec} {method}: {inputs:?}");
            let mut expected = Vec::new();
            for ((_, id), v) in inputs.iter().zip([7u128, 123_456_789_012]) {
                subxt::ext::scale_value::scale::encode_as_type(
                    &subxt::dynamic::Value::u128(v),
                    *id,
                    md.types(),
                    &mut expected,
                )
                .unwrap_or_else(|e| panic!("spec {spec} {method} input: {e}"));
            }
            assert_eq!(
                sim_swap_args(7, 123_456_789_012),
                expected,
                "spec {spec} {method}"
            );
            // Output: a result with known amounts (fees and any other field zero) decodes to those amounts.
            let value = value_of(
                md.types(),
                m.output_ty(),
                &[
                    ("tao_amount", 4_242_000_000),
                    ("alpha_amount", 98_765_432_100),
                ],
                None,
            );
            let mut out = Vec::new();
            subxt::ext::scale_value::scale::encode_as_type(
                &value,
                m.output_ty(),
                md.types(),
                &mut out,
            )
            .unwrap_or_else(|e| panic!("spec {spec} {method} output: {e}"));
            let q = decode_sim_output(&md, method, &out).unwrap();
            assert_eq!(
                q,
                SimQuote {
                    tao: 4_242_000_000,
                    alpha: 98_765_432_100
                },
                "spec {spec} {method}"
            );
        }
        eprintln!("spec {spec}: sim_swap arguments and result decode as the preview expects");
    }
}

/// Issue 12 §3: the deregistration rule is told from the runtime. Every finney file we hold (365+) prunes subnets
/// and answers `get_subnet_to_prune` next to `SubnetLimit` and `SubnetMovingPrice`; the risk labels work there.
#[test]
fn the_pruning_runtimes_declare_what_the_deregistration_standing_needs() {
    use taotui::chain::queries::needs;
    for (name, spec) in FILES {
        let Some(bytes) = read_or_skip("the_pruning_runtimes_declare_what_the_dereg", name) else {
            return;
        };
        let table = FeatureTable::build(&Metadata::decode_from(&bytes[..]).unwrap(), spec);
        assert!(spec >= taotui::risk::FIRST_PRUNING_SPEC);
        for item in [
            &needs::GET_SUBNET_TO_PRUNE,
            &needs::SUBNET_LIMIT,
            &needs::SUBNET_MOVING_PRICE,
            &needs::NETWORK_REGISTERED_AT,
            &needs::NETWORK_IMMUNITY_PERIOD,
            &needs::BLOCK_AT_REGISTRATION,
            &needs::IMMUNITY_PERIOD,
            &needs::UIDS,
            &needs::VALIDATOR_PERMIT,
        ] {
            assert!(table.usable(&item.path()), "spec {spec}: {}", item.path());
        }
        for f in [
            &needs::RISK_VALIDATOR,
            &needs::RISK_PERMIT,
            &needs::RISK_SUBNET,
            &needs::RISK_DEREG,
        ] {
            assert_eq!(table.status(f), Status::Works, "spec {spec}: {}", f.id);
        }
    }
}
