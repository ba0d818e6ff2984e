//! The runtime check against real Subtensor metadata: spec 346, 365 and 393 from ../shared/chain, spec 293 from
//! the local chain. All must pass; doctored copies must fail naming the changed item.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;

use scale_info::{TypeDef, TypeDefPrimitive};
use subxt::Metadata;
use subxt::ext::codec::{Decode, Encode};
use subxt::ext::frame_metadata::{
    RuntimeMetadata, RuntimeMetadataPrefixed, v16::RuntimeMetadataV16,
};
use taotui::chain::client::{ChainClient, ConnectOptions};
use taotui::chain::error::ChainError;
use taotui::chain::network::Network;
use taotui::chain::runtime_check::{Capabilities, check};

/// (file name, spec_version) of the metadata files in ../shared/chain.
const FILES: [(&str, u32); 3] = [
    ("subtensor-devnet-spec346.metadata.scale", 346),
    ("subtensor-finney-spec365.metadata.scale", 365),
    ("subtensor-finney-spec393.metadata.scale", 393),
];

fn shared_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/chain")
}

/// The file's bytes, or None after printing why the test is skipped (a failure under CI).
fn read_or_skip(test: &str, name: &str) -> Option<Vec<u8>> {
    let path = shared_dir().join(name);
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(err) => {
            let reason = format!(
                "{} unreadable ({err}); put the Subtensor metadata files from the shared data next to the repository",
                path.display()
            );
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{test}: {reason}"
            );
            eprintln!("SKIPPED: {test}: {reason}");
            None
        }
    }
}

fn v16(bytes: &[u8]) -> RuntimeMetadataV16 {
    let prefixed = RuntimeMetadataPrefixed::decode(&mut &bytes[..]).unwrap();
    match prefixed.1 {
        RuntimeMetadata::V16(m) => m,
        other => panic!("expected metadata V16, got V{}", other.version()),
    }
}

fn rebuild(m: RuntimeMetadataV16) -> Metadata {
    let bytes = RuntimeMetadataPrefixed::from(m).encode();
    Metadata::decode_from(&bytes).unwrap()
}

/// The call enum variants of `pallet` in `m`.
fn call_variants<'a>(
    m: &'a mut RuntimeMetadataV16,
    pallet: &str,
) -> &'a mut Vec<scale_info::Variant<scale_info::form::PortableForm>> {
    let call_ty = m
        .pallets
        .iter()
        .find(|p| p.name == pallet)
        .and_then(|p| p.calls.as_ref())
        .unwrap()
        .ty
        .id;
    let ty = m.types.types.iter_mut().find(|t| t.id == call_ty).unwrap();
    match &mut ty.ty.type_def {
        TypeDef::Variant(v) => &mut v.variants,
        _ => panic!("call type is not an enum"),
    }
}

fn bool_type_id(m: &RuntimeMetadataV16) -> u32 {
    m.types
        .types
        .iter()
        .find(|t| matches!(t.ty.type_def, TypeDef::Primitive(TypeDefPrimitive::Bool)))
        .unwrap()
        .id
}

fn expect_mismatch(metadata: &Metadata, spec: u32, item: &str, detail_contains: &str) {
    let mismatches = check(metadata, spec).expect_err("doctored metadata must fail the check");
    let found = mismatches
        .iter()
        .find(|m| m.item == item)
        .unwrap_or_else(|| panic!("no mismatch for {item}; got {mismatches:?}"));
    assert!(
        found.detail.contains(detail_contains),
        "{item}: detail {:?} lacks {detail_contains:?}",
        found.detail
    );
    assert_eq!(
        mismatches.len(),
        1,
        "only the doctored item fails: {mismatches:?}"
    );
    let err = ChainError::runtime_changed(spec, &mismatches);
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("runtime {spec} changed {item}: ")),
        "{text}"
    );
}

#[test]
fn every_shared_metadata_file_passes() {
    for (name, spec) in FILES {
        let Some(bytes) = read_or_skip("every_shared_metadata_file_passes", name) else {
            return;
        };
        let metadata = Metadata::decode_from(&bytes).unwrap();
        let caps = check(&metadata, spec)
            .unwrap_or_else(|m| panic!("spec {spec} fails the check: {m:#?}"));
        // What the files are known to contain (see the module docs of runtime_check).
        assert!(caps.sim_swap, "spec {spec} has SwapRuntimeApi.sim_swap_*");
        assert!(caps.current_alpha_price && caps.transfer_stake && caps.stake_fee);
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
    }
}

#[test]
fn removed_call_is_named() {
    let Some(bytes) = read_or_skip("removed_call_is_named", FILES[2].0) else {
        return;
    };
    let mut m = v16(&bytes);
    call_variants(&mut m, "SubtensorModule").retain(|v| v.name != "add_stake");
    expect_mismatch(
        &rebuild(m),
        394,
        "SubtensorModule.add_stake",
        "no longer exists",
    );
}

#[test]
fn changed_argument_type_is_named() {
    let Some(bytes) = read_or_skip("changed_argument_type_is_named", FILES[2].0) else {
        return;
    };
    let mut m = v16(&bytes);
    let bool_id = bool_type_id(&m);
    let add_stake = call_variants(&mut m, "SubtensorModule")
        .iter_mut()
        .find(|v| v.name == "add_stake")
        .unwrap();
    add_stake.fields[1].ty = bool_id.into();
    expect_mismatch(
        &rebuild(m),
        394,
        "SubtensorModule.add_stake",
        "argument 2 (netuid) is now bool; expected an unsigned integer",
    );
}

#[test]
fn added_argument_is_named() {
    let Some(bytes) = read_or_skip("added_argument_is_named", FILES[2].0) else {
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
    expect_mismatch(
        &rebuild(m),
        394,
        "SubtensorModule.remove_stake_limit",
        "now takes 6 arguments",
    );
}

#[test]
fn removed_runtime_api_method_is_named() {
    let Some(bytes) = read_or_skip("removed_runtime_api_method_is_named", FILES[2].0) else {
        return;
    };
    let mut m = v16(&bytes);
    let api = m
        .apis
        .iter_mut()
        .find(|a| a.name == "StakeInfoRuntimeApi")
        .unwrap();
    api.methods
        .retain(|m| m.name != "get_stake_info_for_coldkey");
    expect_mismatch(
        &rebuild(m),
        394,
        "StakeInfoRuntimeApi.get_stake_info_for_coldkey",
        "no longer exists",
    );
}

#[test]
fn removed_storage_item_is_named_and_optional_ones_only_clear_a_flag() {
    let Some(bytes) = read_or_skip("removed_storage_item_is_named", FILES[2].0) else {
        return;
    };
    let mut m = v16(&bytes);
    let sm = m
        .pallets
        .iter_mut()
        .find(|p| p.name == "SubtensorModule")
        .unwrap();
    let storage = sm.storage.as_mut().unwrap();
    storage.entries.retain(|e| {
        e.name != "TotalHotkeyAlphaLastEpoch" && e.name != "RootAlphaDividendsPerSubnet"
    });
    let mut m2 = v16(&bytes);
    let api = m2
        .apis
        .iter_mut()
        .find(|a| a.name == "SwapRuntimeApi")
        .unwrap();
    api.methods.retain(|m| m.name != "sim_swap_alpha_for_tao");
    expect_mismatch(
        &rebuild(m),
        394,
        "SubtensorModule.TotalHotkeyAlphaLastEpoch",
        "no longer exists",
    );
    let caps: Capabilities = check(&rebuild(m2), 394).expect("an optional item may be missing");
    assert!(!caps.sim_swap, "one missing direction disables sim_swap");
    assert!(caps.current_alpha_price);
}

#[test]
fn dropped_struct_field_is_named() {
    let Some(bytes) = read_or_skip("dropped_struct_field_is_named", FILES[2].0) else {
        return;
    };
    let mut m = v16(&bytes);
    // StakeInfo loses its `stake` field: the app reads it, so get_stake_info_for_coldkey(s) must fail.
    for t in &mut m.types.types {
        if t.ty.path.segments.last().map(String::as_str) == Some("StakeInfo")
            && let TypeDef::Composite(c) = &mut t.ty.type_def
        {
            c.fields.retain(|f| f.name.as_deref() != Some("stake"));
        }
    }
    let mismatches = check(&rebuild(m), 394).expect_err("StakeInfo without stake");
    let items: Vec<&str> = mismatches.iter().map(|m| m.item.as_str()).collect();
    assert!(
        items.contains(&"StakeInfoRuntimeApi.get_stake_info_for_coldkey"),
        "{items:?}"
    );
    assert!(
        items.contains(&"StakeInfoRuntimeApi.get_stake_info_for_coldkeys"),
        "{items:?}"
    );
    assert!(
        mismatches
            .iter()
            .all(|m| m.detail.contains("without a field stake")),
        "{mismatches:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_chain_spec_293_passes() {
    let chain = common::local_chain_or_skip!();
    let network: Network = chain.ws_url().parse().unwrap();
    let client = ChainClient::connect(&network, ConnectOptions::default())
        .await
        .expect("connect runs the runtime check, which must pass on spec 293");
    assert_eq!(client.spec_version(), 293);
    let caps = check(&client.metadata(), 293).unwrap();
    assert_eq!(&caps, client.capabilities());
    // Spec 293 predates the swap simulation API and still has TAO root dividends.
    assert!(!caps.sim_swap);
    assert!(caps.current_alpha_price);
    assert!(caps.tao_dividends_per_subnet);
    assert!(!caps.root_alpha_dividends_per_subnet);
    assert!(caps.subnet_identities_v2);
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
