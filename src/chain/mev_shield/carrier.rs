//! The two extrinsics of a shielded submission, built offline from the runtime's metadata:
//! - the inner one, the real call signed as usual at nonce + 1 with a short mortal era (what the block author
//!   decrypts and includes), and
//! - the carrier `MevShield.submit_encrypted(ciphertext)` at nonce, which pays its own fee and carries the
//!   inner extrinsic encrypted to `NextKey`.
//!
//! Both are built by the same code whether the block comes from a live client or from a metadata file.

use subxt::client::{ClientAtBlock, OfflineClientAtBlockT};
use subxt::config::DefaultExtrinsicParamsBuilder;
use subxt::dynamic::Value;
use subxt::ext::scale_value::Composite;
use subxt::transactions::{DynamicPayload, Payload};
use subxt::utils::{AccountId32, H256};
use subxt::{Metadata, SubstrateConfig};

use crate::chain::extrinsics::PlannedCall;
use crate::chain::extrinsics::fetch::{Either, dummy_signature, payload};

use super::ShieldError;
use super::blob;
use super::decision::{PalletShape, Refusal};

pub const PALLET: &str = "MevShield";
pub const CARRIER_CALL: &str = "submit_encrypted";
/// The inner extrinsic's era. The pallet only honours it while the key it was encrypted to is current (a few
/// blocks), so a longer era would only let a stale inner extrinsic land late; 8 is the longest btcli uses.
pub const INNER_ERA_BLOCKS: u64 = 8;

/// The stake-trading calls: the ones whose price a sandwich can move. TAO transfers are not shielded.
pub const SHIELDED_CALLS: [&str; 11] = [
    "add_stake",
    "add_stake_limit",
    "remove_stake",
    "remove_stake_limit",
    "remove_stake_full_limit",
    "move_stake",
    "swap_stake",
    "swap_stake_limit",
    "transfer_stake",
    "unstake_all",
    "unstake_all_alpha",
];

/// A batch is stake-trading when any of its legs is; a proxied call is judged by the call it wraps.
pub fn is_stake_trading(call: &PlannedCall) -> bool {
    (call.pallet == "SubtensorModule" && SHIELDED_CALLS.contains(&call.name))
        || call.legs.iter().any(is_stake_trading)
}

/// What this runtime's `MevShield` looks like, from its metadata.
pub fn pallet_shape(md: &Metadata) -> PalletShape {
    let Some(pallet) = md.pallet_by_name(PALLET) else {
        return PalletShape::Absent;
    };
    let args: Vec<String> = pallet
        .call_variant_by_name(CARRIER_CALL)
        .map(|v| {
            v.fields
                .iter()
                .map(|f| f.name.clone().unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();
    if args == ["ciphertext"] {
        PalletShape::Carrier
    } else {
        PalletShape::UnsupportedCarrier { args }
    }
}

/// The block an extrinsic's era starts at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Birth {
    pub number: u64,
    pub hash: [u8; 32],
}

/// A signed extrinsic: its bytes as submitted (compact length prefix included) and its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub bytes: Vec<u8>,
    pub hash: [u8; 32],
}

/// Signs `call` at `block` (offline: nonce and era are given).
pub fn sign<C, P>(
    block: &ClientAtBlock<SubstrateConfig, C>,
    call: &P,
    account: [u8; 32],
    nonce: u64,
    era_blocks: u64,
    birth: Birth,
    signature: &Either<'_>,
) -> Result<Signed, ShieldError>
where
    C: OfflineClientAtBlockT<SubstrateConfig>,
    P: Payload,
{
    let name = format!("{}.{}", call.pallet_name(), call.call_name());
    let build_err = |e: subxt::error::ExtrinsicError| ShieldError::Build {
        call: name.clone(),
        message: e.to_string(),
    };
    let params = DefaultExtrinsicParamsBuilder::<SubstrateConfig>::new()
        .nonce(nonce)
        .mortal_from_unchecked(era_blocks, birth.number, H256(birth.hash))
        .build();
    let mut signable = block
        .tx()
        .create_signable_offline(call, params)
        .map_err(build_err)?;
    let signed = match signature {
        Either::Dummy(crypto) => signable
            .sign_with_account_and_signature(&AccountId32(account), &dummy_signature(*crypto))
            .map_err(build_err)?,
        Either::Signer(s) => signable.sign(*s).map_err(build_err)?,
    };
    Ok(Signed {
        bytes: signed.encoded().to_vec(),
        hash: signed.hash().0,
    })
}

/// `MevShield.submit_encrypted` with `blob`, its arguments taken from the metadata by name.
pub fn carrier_payload(
    md: &Metadata,
    blob: Vec<u8>,
) -> Result<DynamicPayload<Composite<()>>, ShieldError> {
    match pallet_shape(md) {
        PalletShape::Carrier => Ok(subxt::dynamic::tx(
            PALLET,
            CARRIER_CALL,
            Composite::named([("ciphertext".to_owned(), Value::from_bytes(blob))]),
        )),
        PalletShape::Absent => Err(ShieldError::NoPallet),
        PalletShape::UnsupportedCarrier { args } => {
            Err(ShieldError::Refused(Refusal::UnsupportedCarrier { args }))
        }
    }
}

/// The signed inner extrinsic: `call` at `nonce + 1`, era [`INNER_ERA_BLOCKS`] from `birth`.
pub fn inner<C>(
    block: &ClientAtBlock<SubstrateConfig, C>,
    call: &PlannedCall,
    account: [u8; 32],
    nonce: u64,
    birth: Birth,
    signature: &Either<'_>,
) -> Result<Signed, ShieldError>
where
    C: OfflineClientAtBlockT<SubstrateConfig>,
{
    sign(
        block,
        &payload(call),
        account,
        nonce.saturating_add(1),
        INNER_ERA_BLOCKS,
        birth,
        signature,
    )
}

/// Everything a shielded submission sends and then follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shielded {
    /// `MevShield.submit_encrypted`, signed at `nonce`: what is submitted.
    pub carrier: Signed,
    /// The hash of the inner extrinsic (signed at `nonce + 1`): what to look for in blocks.
    pub inner_hash: [u8; 32],
    pub inner_len: usize,
    pub blob_len: usize,
    pub nonce: u64,
    pub inner_birth: u64,
    /// The last block the inner extrinsic can be included in.
    pub inner_valid_until: u64,
}

/// Builds both extrinsics and the blob. `carrier_era_blocks` is the carrier's era (the app's usual one).
#[allow(clippy::too_many_arguments)]
pub fn shield<C, R>(
    block: &ClientAtBlock<SubstrateConfig, C>,
    call: &PlannedCall,
    account: [u8; 32],
    nonce: u64,
    birth: Birth,
    carrier_era_blocks: u64,
    next_key: &[u8],
    signature: &Either<'_>,
    rng: &mut R,
) -> Result<Shielded, ShieldError>
where
    C: OfflineClientAtBlockT<SubstrateConfig>,
    R: rand::RngCore + rand::CryptoRng,
{
    let inner = inner(block, call, account, nonce, birth, signature)?;
    let sealed = blob::seal(next_key, &inner.bytes, rng)?;
    let blob_len = sealed.len();
    let payload = carrier_payload(&block.metadata(), sealed)?;
    let carrier = sign(
        block,
        &payload,
        account,
        nonce,
        carrier_era_blocks,
        birth,
        signature,
    )?;
    Ok(Shielded {
        carrier,
        inner_hash: inner.hash,
        inner_len: inner.bytes.len(),
        blob_len,
        nonce,
        inner_birth: birth.number,
        inner_valid_until: birth.number.saturating_add(INNER_ERA_BLOCKS),
    })
}

/// A carrier of the exact length the real one will have (for its fee): a dummy-signed inner extrinsic of the
/// real shape, then a blob of zeros of the length sealing it gives.
pub fn dummy_carrier<C>(
    block: &ClientAtBlock<SubstrateConfig, C>,
    call: &PlannedCall,
    account: [u8; 32],
    nonce: u64,
    birth: Birth,
    carrier_era_blocks: u64,
    crypto: taotui_keystore::derive::CryptoType,
) -> Result<(Signed, usize), ShieldError>
where
    C: OfflineClientAtBlockT<SubstrateConfig>,
{
    let signature = Either::Dummy(crypto);
    let inner = inner(block, call, account, nonce, birth, &signature)?;
    let blob_len = blob::blob_len(inner.bytes.len());
    let payload = carrier_payload(&block.metadata(), vec![0u8; blob_len])?;
    let carrier = sign(
        block,
        &payload,
        account,
        nonce,
        carrier_era_blocks,
        birth,
        &signature,
    )?;
    Ok((carrier, blob_len))
}
