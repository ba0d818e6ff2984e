//! Every call taotui signs, built and signed offline for a spec-424 runtime (finney, July 2026: metadata from
//! ../shared/chain, finney's genesis, transaction version 1) through the app's own path (`plan::plan` picks the call
//! from the action and what the metadata offers, `build::build_signed` encodes and signs it), then decoded by an
//! independent decoder (@polkadot/types in node, tests/chain/decode_extrinsic_metadata.mjs) with the same metadata:
//! same call, arguments, era, nonce, tip and metadata-hash mode; the bytes re-encode identically under the
//! metadata's 13 transaction extensions, and the signature verifies over the payload that decoder builds.
//!
//! `move_stake_limit` is not in 424 (it came later): the planner falls back to `move_stake` there, and a copy of
//! 424 with the call added shows the same path building `move_stake_limit` once a runtime has it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use secrecy::SecretString;
use subxt::Metadata;
use subxt::ext::codec::{Decode, Encode};
use subxt::ext::frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed};
use taotui::amount::{AlphaRao, Pool, Price, Rao, SwapFee, Tolerance};
use taotui::chain::extrinsics::build::{Birth, Either, build_signed, offline_at};
use taotui::chain::extrinsics::plan::{SubnetFacts, plan};
use taotui::chain::extrinsics::{
    Action, AlphaAmount, ArgValue, ChainView, OptionalCalls, PlannedCall, StakeMode,
};
use taotui::chain::signer::KeypairSigner;
use taotui_keystore::derive::{CryptoType, Keypair};

/// Finney's genesis hash.
const FINNEY_GENESIS: &str = "2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03";
const SPEC: u32 = 424;
const TX_VERSION: u32 = 1;
const TAO: u64 = 1_000_000_000;
/// A block the extrinsics are said to be born at (its number sets the era's phase).
const BIRTH: Birth = Birth {
    number: 5_123_457,
    hash: [0x42; 32],
};

fn metadata_file() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/chain/subtensor-finney-spec424.metadata.scale");
    if path.exists() {
        return Some(path);
    }
    let reason = format!(
        "{} is missing; put the shared Subtensor metadata files next to the repository",
        path.display()
    );
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{reason}");
    eprintln!("SKIPPED: sign_424: {reason}");
    None
}

fn node_modules_or_skip() -> bool {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/chain/node_modules/@polkadot/types");
    if dir.exists() {
        return true;
    }
    let reason = "tests/chain/node_modules is missing; run `npm ci --prefix tests/chain`";
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{reason}");
    eprintln!("SKIPPED: sign_424 independent decode: {reason}");
    false
}

fn signer(suri: &str) -> KeypairSigner {
    let keypair = Keypair::from_suri(&SecretString::from(suri.to_owned()), CryptoType::Sr25519)
        .unwrap_or_else(|e| panic!("test key {suri:?}: {e}"));
    KeypairSigner::new(keypair)
}

fn key(suri: &str) -> [u8; 32] {
    signer(suri).public_key()
}

/// A chain state under which every action plans (the planner's refusals do not matter here: the call is built
/// either way), with the optional calls the metadata offers.
fn view(coldkey: [u8; 32], hotkey: [u8; 32], calls: OptionalCalls) -> ChainView {
    let mut v = ChainView {
        coldkey,
        spendable: Rao(1_000 * TAO),
        existential_deposit: Rao(500),
        min_stake: Rao(500_000),
        calls,
        ..ChainView::default()
    };
    for (n, tao, alpha) in [(3u16, 1_000, 10_000), (4, 500, 2_000)] {
        let pool = Pool::dynamic(Rao(tao * TAO), AlphaRao(alpha * TAO), SwapFee(196));
        v.subnets.insert(
            n,
            SubnetFacts {
                exists: true,
                subtoken_enabled: true,
                pool,
                price: pool.spot_price().unwrap(),
            },
        );
    }
    v.subnets.insert(
        0,
        SubnetFacts {
            exists: true,
            subtoken_enabled: true,
            pool: Pool::stable(),
            price: Price::ONE,
        },
    );
    v.hotkeys_known.insert(hotkey);
    for n in [0, 3, 4] {
        v.registered.insert((hotkey, n));
        v.positions.insert((hotkey, n), AlphaRao(40 * TAO));
    }
    v
}

/// (expected call name, action) for every call the app signs.
fn actions(hotkey: [u8; 32], other: [u8; 32], dest: [u8; 32]) -> Vec<(&'static str, Action)> {
    let limit = StakeMode::Limit {
        tolerance: Tolerance::from_bps(150).unwrap(),
        allow_partial: false,
    };
    let partial = StakeMode::Limit {
        tolerance: Tolerance::from_bps(150).unwrap(),
        allow_partial: true,
    };
    let alpha = AlphaAmount::Alpha(AlphaRao(2 * TAO + 123));
    vec![
        (
            "add_stake",
            Action::AddStake {
                hotkey,
                netuid: 3,
                amount: Rao(7 * TAO + 5),
                mode: StakeMode::Unsafe,
            },
        ),
        (
            "add_stake_limit",
            Action::AddStake {
                hotkey,
                netuid: 3,
                amount: Rao(TAO),
                mode: partial,
            },
        ),
        (
            "remove_stake",
            Action::RemoveStake {
                hotkey,
                netuid: 3,
                amount: alpha,
                mode: StakeMode::Unsafe,
            },
        ),
        (
            "remove_stake_limit",
            Action::RemoveStake {
                hotkey,
                netuid: 4,
                amount: alpha,
                mode: limit,
            },
        ),
        (
            "remove_stake_full_limit",
            Action::RemoveStake {
                hotkey,
                netuid: 3,
                amount: AlphaAmount::All,
                mode: limit,
            },
        ),
        (
            "remove_stake_full_limit",
            Action::RemoveStake {
                hotkey,
                netuid: 4,
                amount: AlphaAmount::All,
                mode: StakeMode::Unsafe,
            },
        ),
        (
            "move_stake",
            Action::MoveStake {
                origin_hotkey: hotkey,
                destination_hotkey: other,
                origin_netuid: 3,
                destination_netuid: 4,
                amount: alpha,
                mode: limit,
            },
        ),
        (
            "swap_stake",
            Action::SwapStake {
                hotkey,
                origin_netuid: 3,
                destination_netuid: 4,
                amount: alpha,
                mode: StakeMode::Unsafe,
            },
        ),
        (
            "swap_stake_limit",
            Action::SwapStake {
                hotkey,
                origin_netuid: 0,
                destination_netuid: 3,
                amount: alpha,
                mode: limit,
            },
        ),
        (
            "transfer_stake",
            Action::TransferStake {
                destination_coldkey: dest,
                hotkey,
                origin_netuid: 3,
                destination_netuid: 4,
                amount: alpha,
            },
        ),
        (
            "unstake_all",
            Action::UnstakeAll {
                hotkey,
                alpha_only: false,
            },
        ),
        (
            "transfer_keep_alive",
            Action::Transfer {
                dest,
                amount: Rao(3 * TAO + 1),
            },
        ),
        ("transfer_all", Action::TransferAll { dest }),
    ]
}

fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in name.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// What @polkadot/types' `toJSON` gives for an argument taotui passed.
fn expected_json(v: ArgValue) -> serde_json::Value {
    use serde_json::json;
    match v {
        ArgValue::Account(a) => json!(taotui_keystore::ss58::encode(&a, 42)),
        ArgValue::Address(a) => json!({ "id": taotui_keystore::ss58::encode(&a, 42) }),
        ArgValue::U16(n) => json!(n),
        ArgValue::U64(n) => json!(n),
        ArgValue::OptionU64(n) => json!(n),
        ArgValue::Bool(b) => json!(b),
    }
}

/// Runs the independent decoder over `extrinsics` signed for the runtime described by `metadata_path`.
fn decode(metadata_path: &Path, extrinsics: &[Vec<u8>]) -> serde_json::Value {
    decode_born_at(metadata_path, BIRTH.hash, extrinsics)
}

fn decode_born_at(
    metadata_path: &Path,
    birth_hash: [u8; 32],
    extrinsics: &[Vec<u8>],
) -> serde_json::Value {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/chain/decode_extrinsic_metadata.mjs");
    let out = Command::new("node")
        .arg(script)
        .arg(metadata_path)
        .arg(format!("0x{FINNEY_GENESIS}"))
        .arg(format!("0x{}", hex::encode(birth_hash)))
        .arg(SPEC.to_string())
        .arg(TX_VERSION.to_string())
        .args(extrinsics.iter().map(|x| format!("0x{}", hex::encode(x))))
        .output()
        .expect("running node");
    assert!(
        out.status.success(),
        "decoder failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("decoder JSON")
}

fn genesis() -> [u8; 32] {
    hex::decode(FINNEY_GENESIS).unwrap().try_into().unwrap()
}

/// Plans and signs every action; returns (planned call, nonce, bytes).
fn sign_all(md: Metadata, who: &KeypairSigner) -> Vec<(PlannedCall, u64, Vec<u8>)> {
    let hotkey = key("//Validator424");
    let other = key("//Other424");
    let dest = key("//Friend424");
    let calls = OptionalCalls::from_metadata(&md);
    let v = view(who.public_key(), hotkey, calls);
    let at = offline_at(md, genesis(), SPEC, TX_VERSION, BIRTH.number).unwrap();
    actions(hotkey, other, dest)
        .into_iter()
        .enumerate()
        .map(|(i, (name, action))| {
            let planned = plan(&action, &v).unwrap().call;
            assert_eq!(planned.name, name, "{action:?}");
            let nonce = 1_000 + i as u64;
            let (bytes, _) = build_signed(
                &at,
                BIRTH,
                &planned,
                who.public_key(),
                nonce,
                Either::Signer(who),
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            (planned, nonce, bytes)
        })
        .collect()
}

fn check_decoded(
    decoded: &serde_json::Value,
    signed: &[(PlannedCall, u64, Vec<u8>)],
    who: &KeypairSigner,
) {
    let xts = decoded["extrinsics"].as_array().unwrap();
    assert_eq!(xts.len(), signed.len());
    for ((call, nonce, _), d) in signed.iter().zip(xts) {
        let what = call.path();
        let pallet = if call.pallet == "SubtensorModule" {
            "subtensorModule"
        } else {
            "balances"
        };
        assert_eq!(d["section"], pallet, "{what}: {d}");
        assert_eq!(d["method"], camel(call.name), "{what}: {d}");
        assert_eq!(d["isSigned"], true, "{what}");
        assert_eq!(d["signer"], who.ss58(), "{what}");
        assert_eq!(d["nonce"], *nonce, "{what}");
        assert_eq!(d["tip"], "0", "{what}");
        // Mortal for 64 blocks from the birth block: phase = birth mod 64.
        assert_eq!(d["era"]["period"], 64, "{what}: {d}");
        assert_eq!(d["era"]["phase"], BIRTH.number % 64, "{what}: {d}");
        // CheckMetadataHash disabled: taotui does not send the metadata hash.
        assert_eq!(d["mode"], 0, "{what}: {d}");
        assert_eq!(
            d["reencodes"], true,
            "{what}: the bytes are exactly what the metadata's extensions describe"
        );
        assert_eq!(
            d["signatureValid"], true,
            "{what}: the signature covers the payload the decoder builds"
        );
        let args = d["args"].as_object().unwrap();
        assert_eq!(args.len(), call.args.len(), "{what}: {d}");
        for (name, value) in &call.args {
            assert_eq!(
                args.get(&camel(name)),
                Some(&expected_json(*value)),
                "{what} argument {name}: {d}"
            );
        }
    }
}

#[test]
fn every_signed_call_decodes_identically_with_metadata_424() {
    let Some(path) = metadata_file() else { return };
    let md = Metadata::decode_from(&std::fs::read(&path).unwrap()).unwrap();
    // What this runtime offers among the optional calls, read from its metadata.
    assert_eq!(
        OptionalCalls::from_metadata(&md),
        OptionalCalls {
            remove_stake_full_limit: true,
            move_stake_limit: false,
            transfer_stake: true,
        }
    );
    let who = signer("//Nominator424");
    let signed = sign_all(md, &who);
    // Twelve distinct calls (remove_stake_full_limit twice: with a limit and without).
    let mut names: Vec<&str> = signed.iter().map(|(c, _, _)| c.name).collect();
    names.dedup();
    assert_eq!(names.len(), 12);
    if !node_modules_or_skip() {
        return;
    }
    let decoded = decode(
        &path,
        &signed.iter().map(|(_, _, b)| b.clone()).collect::<Vec<_>>(),
    );
    // All 13 transaction extensions of 424, in the metadata's order; Subtensor's own carry no data, so subxt
    // encodes them though it does not know them (and the re-encoding check above proves nothing is missing).
    let ext: Vec<(String, u64)> = decoded["extensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["identifier"].as_str().unwrap().to_owned(),
                e["size"].as_u64().unwrap() + e["implicitSize"].as_u64().unwrap(),
            )
        })
        .collect();
    let names: Vec<&str> = ext.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "CheckNonZeroSender",
            "CheckSpecVersion",
            "CheckTxVersion",
            "CheckGenesis",
            "CheckMortality",
            "CheckNonce",
            "CheckWeight",
            "ChargeTransactionPayment",
            "SudoTransactionExtension",
            "CheckShieldedTxValidity",
            "SubtensorTransactionExtension",
            "DrandPriority",
            "CheckMetadataHash",
        ]
    );
    for unknown in [
        "SudoTransactionExtension",
        "CheckShieldedTxValidity",
        "SubtensorTransactionExtension",
        "DrandPriority",
    ] {
        assert!(
            ext.iter().any(|(n, size)| n == unknown && *size == 0),
            "{unknown} carries no data: {ext:?}"
        );
    }
    check_decoded(&decoded, &signed, &who);
}

/// 424 plus `move_stake_limit` as the newer runtimes declare it (move_stake's arguments, then `limit_price` and
/// `allow_partial`), appended to the call enum at index 149.
fn with_move_stake_limit(bytes: &[u8]) -> Vec<u8> {
    use scale_info::TypeDef;
    let prefixed = RuntimeMetadataPrefixed::decode(&mut &bytes[..]).unwrap();
    let RuntimeMetadata::V16(mut m) = prefixed.1 else {
        panic!("expected metadata V16")
    };
    let call_ty = m
        .pallets
        .iter()
        .find(|p| p.name == "SubtensorModule")
        .and_then(|p| p.calls.as_ref())
        .unwrap()
        .ty
        .id;
    let ty = m.types.types.iter_mut().find(|t| t.id == call_ty).unwrap();
    let TypeDef::Variant(v) = &mut ty.ty.type_def else {
        panic!("call type is not an enum")
    };
    let find = |name: &str| v.variants.iter().find(|x| x.name == name).unwrap().clone();
    let mut limited = find("move_stake");
    let swap_limit = find("swap_stake_limit");
    limited.name = "move_stake_limit".into();
    limited.index = 149;
    assert!(
        v.variants.iter().all(|x| x.index != 149),
        "index 149 is free in 424"
    );
    limited
        .fields
        .extend(swap_limit.fields[4..].iter().cloned());
    v.variants.push(limited);
    RuntimeMetadataPrefixed::from(m).encode()
}

#[test]
fn move_stake_limit_is_built_from_the_metadata_once_a_runtime_has_it() {
    let Some(path) = metadata_file() else { return };
    let bytes = with_move_stake_limit(&std::fs::read(&path).unwrap());
    let md = Metadata::decode_from(&bytes).unwrap();
    let calls = OptionalCalls::from_metadata(&md);
    assert!(calls.move_stake_limit && calls.transfer_stake && calls.remove_stake_full_limit);
    let who = signer("//Nominator424");
    let hotkey = key("//Validator424");
    let action = Action::MoveStake {
        origin_hotkey: hotkey,
        destination_hotkey: key("//Other424"),
        origin_netuid: 3,
        destination_netuid: 4,
        amount: AlphaAmount::Alpha(AlphaRao(TAO)),
        mode: StakeMode::default(),
    };
    let planned = plan(&action, &view(who.public_key(), hotkey, calls))
        .unwrap()
        .call;
    assert_eq!(planned.name, "move_stake_limit");
    // 0.1 / 0.25 = 0.4 destination alpha per origin alpha, less 0.5 %.
    assert_eq!(planned.arg("limit_price"), Some(ArgValue::U64(398_000_000)));
    let at = offline_at(md, genesis(), SPEC, TX_VERSION, BIRTH.number).unwrap();
    let (xt, _) = build_signed(
        &at,
        BIRTH,
        &planned,
        who.public_key(),
        7,
        Either::Signer(&who),
    )
    .unwrap();
    if !node_modules_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir
        .path()
        .join("spec424-with-move-stake-limit.metadata.scale");
    std::fs::write(&file, &bytes).unwrap();
    let decoded = decode(&file, std::slice::from_ref(&xt));
    check_decoded(&decoded, &[(planned, 7, xt.clone())], &who);
    // The signature check is not a formality: over a payload naming another birth block it fails.
    let other = decode_born_at(&file, [0x43; 32], &[xt]);
    assert_eq!(other["extrinsics"][0]["signatureValid"], false, "{other}");
}
