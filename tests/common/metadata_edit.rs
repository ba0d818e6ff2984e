//! Real Subtensor metadata files from ../shared/chain, and doctored copies of them: one item removed or reshaped,
//! or the storage that later runtimes removed taken out (a "475-shaped" runtime derived from 424).

use std::path::PathBuf;

use scale_info::{TypeDef, TypeDefPrimitive};
use subxt::Metadata;
use subxt::ext::codec::{Decode, Encode};
use subxt::ext::frame_metadata::{
    RuntimeMetadata, RuntimeMetadataPrefixed, v16::RuntimeMetadataV16,
};

/// (file name, spec_version) of the metadata files in ../shared/chain, oldest first.
pub const FILES: [(&str, u32); 4] = [
    ("subtensor-devnet-spec346.metadata.scale", 346),
    ("subtensor-finney-spec365.metadata.scale", 365),
    ("subtensor-finney-spec393.metadata.scale", 393),
    ("subtensor-finney-spec424.metadata.scale", 424),
];

/// The newest finney metadata we hold.
pub const SPEC424: &str = "subtensor-finney-spec424.metadata.scale";

/// Storage that finney removed between 441 and 475 (RUNTIME-CHANGES.md): `Alpha` and `TotalHotkeyShares` moved to
/// V2 items, the root-claim items went with root baskets.
pub const REMOVED_BY_475: [&str; 4] = [
    "Alpha",
    "TotalHotkeyShares",
    "RootClaimType",
    "NumRootClaim",
];

pub fn shared_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/chain")
}

/// The file's bytes, or None after printing why the test is skipped (a failure under CI).
pub fn read_or_skip(test: &str, name: &str) -> Option<Vec<u8>> {
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

pub fn v16(bytes: &[u8]) -> RuntimeMetadataV16 {
    let prefixed = RuntimeMetadataPrefixed::decode(&mut &bytes[..]).unwrap();
    match prefixed.1 {
        RuntimeMetadata::V16(m) => m,
        other => panic!("expected metadata V16, got V{}", other.version()),
    }
}

pub fn encode(m: RuntimeMetadataV16) -> Vec<u8> {
    RuntimeMetadataPrefixed::from(m).encode()
}

pub fn rebuild(m: RuntimeMetadataV16) -> Metadata {
    Metadata::decode_from(&encode(m)[..]).unwrap()
}

/// 424 without the storage removed by 475: the newest runtime shape we can derive from a real file.
pub fn shaped_475(bytes_424: &[u8]) -> RuntimeMetadataV16 {
    let mut m = v16(bytes_424);
    for name in REMOVED_BY_475 {
        assert!(
            remove_storage(&mut m, "SubtensorModule", name),
            "424 has SubtensorModule.{name}"
        );
    }
    m
}

/// The call enum variants of `pallet` in `m`.
pub fn call_variants<'a>(
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

pub fn bool_type_id(m: &RuntimeMetadataV16) -> u32 {
    m.types
        .types
        .iter()
        .find(|t| matches!(t.ty.type_def, TypeDef::Primitive(TypeDefPrimitive::Bool)))
        .unwrap()
        .id
}

/// Removes `pallet.name` (a call, storage entry, constant or runtime API method: `pallet` is then the API's name).
/// False when there was nothing of that name.
pub fn remove_item(m: &mut RuntimeMetadataV16, pallet: &str, name: &str) -> bool {
    if remove_storage(m, pallet, name) {
        return true;
    }
    if let Some(p) = m.pallets.iter_mut().find(|p| p.name == pallet) {
        let before = p.constants.len();
        p.constants.retain(|c| c.name != name);
        if p.constants.len() != before {
            return true;
        }
        if p.calls.is_some() {
            let calls = call_variants(m, pallet);
            let before = calls.len();
            calls.retain(|v| v.name != name);
            return calls.len() != before;
        }
        return false;
    }
    if let Some(api) = m.apis.iter_mut().find(|a| a.name == pallet) {
        let before = api.methods.len();
        api.methods.retain(|x| x.name != name);
        return api.methods.len() != before;
    }
    false
}

pub fn remove_storage(m: &mut RuntimeMetadataV16, pallet: &str, name: &str) -> bool {
    let Some(storage) = m
        .pallets
        .iter_mut()
        .find(|p| p.name == pallet)
        .and_then(|p| p.storage.as_mut())
    else {
        return false;
    };
    let before = storage.entries.len();
    storage.entries.retain(|e| e.name != name);
    storage.entries.len() != before
}
