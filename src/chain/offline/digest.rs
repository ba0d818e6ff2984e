//! The RFC-0078 metadata digest (`CheckMetadataHash`'s "metadata hash") of a metadata file, by the
//! `merkleized-metadata` crate the runtime's own build uses.
//!
//! The digest covers the types reachable from the extrinsic and its extensions, the extension list, and the chain's
//! spec name and version, SS58 prefix, token decimals and symbol. A signature made in mode 1 commits to it, so it
//! only verifies on a runtime whose metadata says the same: the offline side's decoding is then the chain's.

use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed, v15, v16};
use merkleized_metadata::{ExtraInfo, generate_metadata_digest};
use subxt::Metadata;
use subxt::ext::codec::Decode;

use crate::chain::runtime_info::RuntimeFacts;

/// Subtensor's runtime is built with `enable_metadata_hash("TAO", 9)`.
pub const TOKEN_SYMBOL: &str = "TAO";
pub const TOKEN_DECIMALS: u8 = 9;
/// The SS58 prefix when the metadata has no `System.SS58Prefix` constant (Bittensor uses the generic 42).
const DEFAULT_SS58_PREFIX: u16 = 42;

#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    #[error("the metadata file does not decode as runtime metadata: {0}")]
    Decode(String),
    #[error(
        "metadata version {0} carries no metadata hash information (V15 or V16 is needed); export the metadata again with a newer taotui"
    )]
    Version(u32),
    #[error("the metadata does not say its runtime's spec name and version (System.Version)")]
    NoVersion,
    #[error("the metadata digest could not be computed: {0}")]
    Merkle(String),
}

/// The digest's hash (what `CheckMetadataHash` signs) of `raw` metadata (`RuntimeMetadataPrefixed` SCALE bytes,
/// V15 or V16).
pub fn metadata_hash(raw: &[u8]) -> Result<[u8; 32], DigestError> {
    let prefixed = RuntimeMetadataPrefixed::decode(&mut &raw[..])
        .map_err(|e| DigestError::Decode(e.to_string()))?;
    let md = Metadata::decode_from(raw).map_err(|e| DigestError::Decode(e.to_string()))?;
    let facts = RuntimeFacts::of(&md);
    let (Some(spec_name), Some(spec_version)) = (facts.spec_name, facts.spec_version) else {
        return Err(DigestError::NoVersion);
    };
    let v15 = match prefixed.1 {
        RuntimeMetadata::V15(m) => m,
        RuntimeMetadata::V16(m) => v16_as_v15(m),
        other => return Err(DigestError::Version(other.version())),
    };
    let extra = ExtraInfo {
        spec_version,
        spec_name,
        base58_prefix: ss58_prefix(&md).unwrap_or(DEFAULT_SS58_PREFIX),
        decimals: TOKEN_DECIMALS,
        token_symbol: TOKEN_SYMBOL.to_owned(),
    };
    let digest =
        generate_metadata_digest(&RuntimeMetadata::V15(v15), extra).map_err(DigestError::Merkle)?;
    Ok(digest.hash())
}

fn ss58_prefix(md: &Metadata) -> Option<u16> {
    let c = md
        .pallet_by_name("System")?
        .constant_by_name("SS58Prefix")?;
    u16::decode(&mut c.value()).ok()
}

/// The digest reads only the type registry and the extrinsic's description, and the runtime builds it from V15,
/// whose type ids V16 keeps (frame-metadata registers them in the same order for both). So V16 is read as the V15
/// it was made alongside: same types, transaction extensions of version 0 as the signed extensions, extrinsic
/// version 4. The other V15 fields are not part of the digest and are left empty.
fn v16_as_v15(m: v16::RuntimeMetadataV16) -> v15::RuntimeMetadataV15 {
    let e = m.extrinsic;
    let in_v0: Vec<u32> = e
        .transaction_extensions_by_version
        .get(&0)
        .map(|ids| ids.iter().map(|c| c.0).collect())
        .unwrap_or_else(|| (0..e.transaction_extensions.len() as u32).collect());
    let signed_extensions = in_v0
        .iter()
        .filter_map(|&i| e.transaction_extensions.get(i as usize))
        .map(|x| v15::SignedExtensionMetadata {
            identifier: x.identifier.clone(),
            ty: x.ty,
            additional_signed: x.implicit,
        })
        .collect();
    let version = if e.versions.contains(&4) {
        4
    } else {
        e.versions.first().copied().unwrap_or(4)
    };
    v15::RuntimeMetadataV15 {
        types: m.types,
        pallets: Vec::new(),
        extrinsic: v15::ExtrinsicMetadata {
            version,
            address_ty: e.address_ty,
            call_ty: e.call_ty,
            signature_ty: e.signature_ty,
            // Not part of the digest (it is the tuple of the extension types, which are listed one by one).
            extra_ty: e.call_ty,
            signed_extensions,
        },
        ty: e.call_ty,
        apis: Vec::new(),
        outer_enums: m.outer_enums,
        custom: v15::CustomMetadata {
            map: Default::default(),
        },
    }
}
