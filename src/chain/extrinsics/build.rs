//! Building the extrinsic for a planned call from the runtime's metadata alone: the same code signs for the live
//! chain (on the block the preview read) and offline (tests that sign for a runtime we cannot run, then decode the
//! bytes with an independent decoder).
//!
//! Which optional calls the runtime has is also read here, from the metadata ([`OptionalCalls::from_metadata`]),
//! so the planner picks a call the runtime really offers and never decides by spec number.

use subxt::client::{ClientAtBlock, OfflineClientAtBlockT};
use subxt::config::DefaultExtrinsicParamsBuilder;
use subxt::dynamic::Value;
use subxt::ext::scale_value::Composite;
use subxt::transactions::DynamicPayload;
use subxt::utils::{AccountId32, H256, MultiSignature};
use subxt::{Metadata, SubstrateConfig};
use taotui_keystore::derive::CryptoType;

use crate::chain::tx::{self, MORTAL_PERIOD_BLOCKS};

use super::ExtrinsicError;
use super::needs;
use super::plan::{ArgValue, OptionalCalls, PlannedCall};
use crate::chain::features::FeatureTable;

fn arg_value(v: ArgValue) -> Value {
    match v {
        ArgValue::Account(a) => tx::account_arg(a),
        ArgValue::Address(a) => Value::unnamed_variant("Id", [tx::account_arg(a)]),
        ArgValue::U16(n) => Value::u128(u128::from(n)),
        ArgValue::U64(n) => Value::u128(u128::from(n)),
        ArgValue::OptionU64(Some(n)) => Value::unnamed_variant("Some", [Value::u128(n.into())]),
        ArgValue::OptionU64(None) => Value::unnamed_variant("None", []),
        ArgValue::Bool(b) => Value::bool(b),
    }
}

/// The dynamic payload, arguments by the runtime's names (so a reordered runtime still encodes correctly, and a
/// renamed argument fails to build instead of encoding the wrong field).
/// A batch becomes `Utility.batch_all` of its legs, and a proxied call is wrapped in `Proxy.proxy`.
pub fn payload(call: &PlannedCall) -> DynamicPayload<Composite<()>> {
    let inner = if call.legs.is_empty() {
        let fields = call
            .args
            .iter()
            .map(|(name, v)| ((*name).to_owned(), arg_value(*v)));
        subxt::dynamic::tx(call.pallet, call.name, Composite::named(fields))
    } else {
        crate::chain::batch::batch_all(
            call.legs
                .iter()
                .map(|leg| {
                    payload(&PlannedCall {
                        proxy: None,
                        ..leg.clone()
                    })
                })
                .collect(),
        )
    };
    match &call.proxy {
        Some(p) => crate::chain::proxy::wrap(inner, p.real, p.proxy_type.as_deref()),
        None => inner,
    }
}

/// A signature of the right scheme and length that is not a signature of anything.
pub fn dummy_signature(crypto: CryptoType) -> MultiSignature {
    match crypto {
        CryptoType::Sr25519 => MultiSignature::Sr25519([0; 64]),
        CryptoType::Ed25519 => MultiSignature::Ed25519([0; 64]),
    }
}

/// How to sign while building.
pub enum Either<'a> {
    Dummy(CryptoType),
    Signer(&'a crate::chain::signer::KeypairSigner),
}

/// The block a mortal extrinsic is born at: its era starts there and the signature commits to its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Birth {
    pub number: u64,
    pub hash: [u8; 32],
}

/// Builds the extrinsic for `call` with `nonce`, mortal for [`MORTAL_PERIOD_BLOCKS`] from `birth`, signed by
/// `signature` (or the dummy signature of a scheme). `at` supplies the metadata, genesis hash, spec and transaction
/// version: an online client at the previewed block, or an offline one built from a metadata file. Every
/// transaction extension the metadata lists is encoded (subxt encodes the ones it does not know when their data
/// is empty, which is the case for Subtensor's own). No tip; `CheckMetadataHash` stays disabled (mode 0).
pub fn build_signed<C: OfflineClientAtBlockT<SubstrateConfig>>(
    at: &ClientAtBlock<SubstrateConfig, C>,
    birth: Birth,
    call: &PlannedCall,
    account: [u8; 32],
    nonce: u64,
    signature: Either<'_>,
) -> Result<(Vec<u8>, [u8; 32]), ExtrinsicError> {
    build_signed_payload(at, birth, &payload(call), account, nonce, signature)
}

/// [`build_signed`] for a payload built directly (a call the planner does not know, e.g. `Proxy.add_proxy`).
pub fn build_signed_payload<C: OfflineClientAtBlockT<SubstrateConfig>>(
    at: &ClientAtBlock<SubstrateConfig, C>,
    birth: Birth,
    payload: &DynamicPayload<Composite<()>>,
    account: [u8; 32],
    nonce: u64,
    signature: Either<'_>,
) -> Result<(Vec<u8>, [u8; 32]), ExtrinsicError> {
    let params = DefaultExtrinsicParamsBuilder::<SubstrateConfig>::new()
        .nonce(nonce)
        .mortal_from_unchecked(MORTAL_PERIOD_BLOCKS, birth.number, H256(birth.hash))
        .build();
    let build_err = |e: subxt::error::ExtrinsicError| ExtrinsicError::Build {
        call: format!("{}.{}", payload.pallet_name(), payload.call_name()),
        message: e.to_string(),
    };
    let mut signable = at
        .tx()
        .create_signable_offline(payload, params)
        .map_err(build_err)?;
    let signed = match signature {
        Either::Dummy(crypto) => signable
            .sign_with_account_and_signature(&AccountId32(account), &dummy_signature(crypto))
            .map_err(build_err)?,
        Either::Signer(s) => signable.sign(s).map_err(build_err)?,
    };
    Ok((signed.encoded().to_vec(), signed.hash().0))
}

/// Builds the extrinsic for `call` on the previewed block `at` (its number and hash are the era's birth).
pub fn build_extrinsic(
    at: &super::fetch::AtBlock,
    call: &PlannedCall,
    account: [u8; 32],
    nonce: u64,
    signature: Either<'_>,
) -> Result<(Vec<u8>, [u8; 32]), ExtrinsicError> {
    let birth = Birth {
        number: at.block_number(),
        hash: at.block_hash().0,
    };
    build_signed(at, birth, call, account, nonce, signature)
}

/// An offline client for a runtime given by its metadata (no connection): what [`build_signed`] needs to sign
/// for that runtime. `block` is any block number the extrinsic is said to be built at.
pub fn offline_at(
    metadata: Metadata,
    genesis: [u8; 32],
    spec_version: u32,
    transaction_version: u32,
    block: u64,
) -> Result<subxt::client::OfflineClientAtBlock<SubstrateConfig>, ExtrinsicError> {
    use subxt::config::substrate::SpecVersionForRange;

    let config = SubstrateConfig::builder()
        .set_genesis_hash(H256(genesis))
        .set_metadata_for_spec_versions([(spec_version, metadata.into())])
        .set_spec_version_for_block_ranges([SpecVersionForRange {
            block_range: 0..u64::MAX,
            spec_version,
            transaction_version,
        }])
        .build();
    subxt::OfflineClient::new_with_config(config)
        .at_block(block)
        .map_err(|e| ExtrinsicError::Build {
            call: "an offline client".to_owned(),
            message: e.to_string(),
        })
}

/// Whether `pallet.name` is a call of this runtime taking exactly `args`, by name and in order.
impl OptionalCalls {
    /// The optional calls usable on this runtime, per the feature table (name, argument names, order and shapes
    /// as declared in [`super::needs`]).
    pub fn from_features(features: &FeatureTable) -> OptionalCalls {
        let has = |item: &crate::chain::runtime_check::Item| features.usable(&item.path());
        OptionalCalls {
            remove_stake_full_limit: has(&needs::REMOVE_STAKE_FULL_LIMIT),
            move_stake_limit: has(&needs::MOVE_STAKE_LIMIT),
            transfer_stake: has(&needs::TRANSFER_STAKE),
        }
    }

    /// [`OptionalCalls::from_features`] for metadata alone (offline building).
    pub fn from_metadata(md: &Metadata) -> OptionalCalls {
        Self::from_features(&FeatureTable::build(md, 0))
    }
}
