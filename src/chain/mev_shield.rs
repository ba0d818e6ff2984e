//! MEV-shielded submission of stake-trading calls (pallet `MevShield`, finney 393 and later).
//!
//! A stake sent in the clear sits in the mempool where a bot can move the price against it. With the shield, the
//! real call is signed at nonce + 1 ([`carrier::inner`]), encrypted to the next block author's ML-KEM-768 key
//! `MevShield.NextKey` ([`blob::seal`]), and carried by `MevShield.submit_encrypted` at nonce; the author decrypts
//! it and includes the inner extrinsic in its block, so its contents are public only once it has landed.
//!
//! [`decision::decide`] is the policy: on a runtime without the pallet the call goes in the clear and the preview
//! says so; where the pallet exists but shielding cannot be done, taotui refuses and says how to send in the clear
//! on purpose (it never falls back on its own). [`assess`] gathers the facts for the preview (and the carrier's
//! extra fee), [`prepare_submission`] builds what to submit once the key is unlocked.

#![allow(clippy::result_large_err)]

pub mod blob;
pub mod carrier;
pub mod decision;
pub mod follow;

use subxt::ext::codec::Decode;

use crate::amount::Rao;
use crate::chain::client::ChainClient;
use crate::chain::error::ChainError;
use crate::chain::extrinsics::fetch::{Either, query_fee};
use crate::chain::extrinsics::{ExtrinsicError, Prepared};
use crate::chain::signer::KeypairSigner;
use crate::chain::tx::{self, MORTAL_PERIOD_BLOCKS, TxError};

pub use blob::BlobError;
pub use carrier::{Birth, Shielded, Signed};
pub use decision::{ClearReason, Decision, Facts, PalletShape, Refusal, decide};
pub use follow::{InnerWatch, Step};

#[derive(Debug, thiserror::Error)]
pub enum ShieldError {
    /// Shielding is possible in principle but not now; the sentence says how to send in the clear.
    #[error("{}", .0.sentence())]
    Refused(Refusal),
    #[error("Could not shield the transaction: {0}.")]
    Blob(#[from] BlobError),
    #[error(
        "Could not build {call} for this runtime: {message}. The runtime may have changed the call; update taotui."
    )]
    Build { call: String, message: String },
    #[error("This runtime has no MevShield pallet, so nothing can be shielded.")]
    NoPallet,
    #[error(
        "The shielded transaction did not land: its inner extrinsic {inner_hash} was in no block up to #{valid_until} \
         (the block author did not decrypt it, most likely because the shield key rotated first), so nothing was \
         staked or unstaked; only the carrier {carrier_hash} and its fee landed. Preview again to retry."
    )]
    InnerExpired {
        inner_hash: String,
        carrier_hash: String,
        valid_until: u64,
    },
    #[error(transparent)]
    Chain(#[from] ChainError),
    #[error(transparent)]
    Tx(#[from] TxError),
    #[error(transparent)]
    Extrinsic(Box<ExtrinsicError>),
}

impl From<ExtrinsicError> for ShieldError {
    fn from(e: ExtrinsicError) -> Self {
        ShieldError::Extrinsic(Box::new(e))
    }
}

/// The raw storage key of `MevShield.NextKey` (a plain `StorageValue`).
pub fn next_key_storage_key() -> Vec<u8> {
    let mut key = sp_crypto_hashing::twox_128(carrier::PALLET.as_bytes()).to_vec();
    key.extend_from_slice(&sp_crypto_hashing::twox_128(b"NextKey"));
    key
}

/// Decodes the `NextKey` storage value (`BoundedVec<u8, _>`: a SCALE byte vector).
pub fn decode_next_key(raw: &[u8]) -> Result<Vec<u8>, ChainError> {
    Vec::<u8>::decode(&mut &raw[..]).map_err(|e| ChainError::Decode {
        what: "MevShield.NextKey".into(),
        detail: e.to_string(),
    })
}

/// `MevShield.NextKey` at block `at` (the head when `None`). One request.
pub async fn next_key(
    client: &ChainClient,
    at: Option<[u8; 32]>,
) -> Result<Option<Vec<u8>>, ChainError> {
    client
        .storage_raw(&next_key_storage_key(), at)
        .await?
        .map(|raw| decode_next_key(&raw))
        .transpose()
}

/// What the preview shows about shielding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShieldPreview {
    pub decision: Decision,
    /// The carrier's fee, paid on top of the call's own fee (where shielding applies).
    pub carrier_fee: Option<Rao>,
    pub blob_len: Option<usize>,
}

impl ShieldPreview {
    pub fn clear(reason: ClearReason) -> Self {
        ShieldPreview {
            decision: Decision::Clear(reason),
            carrier_fee: None,
            blob_len: None,
        }
    }

    pub fn is_shielded(&self) -> bool {
        self.decision == Decision::Shield
    }

    /// The preview line: shielded with its extra fee, in the clear and why, or the refusal.
    pub fn line(&self) -> String {
        match &self.decision {
            Decision::Shield => format!(
                "MEV shield: on (encrypted to the next block author; extra fee {})",
                self.carrier_fee.unwrap_or(Rao::ZERO)
            ),
            Decision::Clear(reason) => reason.sentence().to_owned(),
            Decision::Refuse(r) => r.sentence(),
        }
    }
}

/// Gathers the facts and decides, for the preview: the pallet's shape from the metadata, `NextKey` at the
/// previewed block, and the carrier's fee from `query_info` on a carrier of the real length. Three requests when
/// the runtime has the pallet, none otherwise.
pub async fn assess(
    client: &ChainClient,
    prepared: &Prepared,
    opted_out: bool,
) -> Result<ShieldPreview, ShieldError> {
    let call = &prepared.preview.call;
    if !carrier::is_stake_trading(call) {
        return Ok(ShieldPreview::clear(ClearReason::NotStakeTrading));
    }
    if opted_out {
        return Ok(ShieldPreview::clear(ClearReason::OptedOut));
    }
    let pallet = carrier::pallet_shape(&client.metadata());
    if pallet == PalletShape::Absent {
        return Ok(ShieldPreview::clear(ClearReason::NoPallet));
    }
    let birth = Birth {
        number: prepared.birth_block,
        hash: prepared.birth_hash,
    };
    // Through a proxy the delegate signs both extrinsics and pays both fees.
    let coldkey = prepared.preview.call.signer_for(prepared.view.coldkey);
    let (key, nonce) = tokio::join!(
        next_key(client, Some(prepared.birth_hash)),
        tx::next_nonce(client.rpc(), coldkey)
    );
    let (key, nonce) = (key?, nonce?);
    let (carrier_fee, blob_len) = if pallet == PalletShape::Carrier {
        let (dummy, blob_len) = carrier::dummy_carrier(
            prepared.at_block(),
            call,
            coldkey,
            nonce,
            birth,
            MORTAL_PERIOD_BLOCKS,
            prepared.crypto,
        )?;
        (
            query_fee(client, &dummy.bytes, prepared.birth_hash).await?,
            blob_len,
        )
    } else {
        (Rao::ZERO, 0)
    };
    let p = &prepared.preview;
    let facts = Facts {
        opted_out,
        pallet,
        next_key_len: key.as_ref().map(Vec::len),
        blob_len,
        spendable: prepared
            .delegate_spendable
            .unwrap_or(prepared.view.spendable),
        inner_cost: if prepared.delegate_spendable.is_some() {
            p.fee
        } else {
            p.fee.saturating_add(p.tao_spent)
        },
        carrier_fee,
    };
    Ok(ShieldPreview {
        decision: decide(&facts),
        carrier_fee: Some(carrier_fee),
        blob_len: Some(blob_len),
    })
}

/// What `send` submits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submission {
    Clear(ClearReason),
    Shielded(Shielded),
}

/// Builds the submission the preview promised, at the head with the account's fresh nonce and the key current
/// now (`NextKey` rotates every block, so the previewed one may be gone). A refusal in the preview, or a key gone
/// missing since, is an error that says how to send in the clear.
pub async fn prepare_submission(
    client: &ChainClient,
    shield: &ShieldPreview,
    prepared: &Prepared,
    signer: &KeypairSigner,
) -> Result<Submission, ShieldError> {
    match &shield.decision {
        Decision::Clear(reason) => return Ok(Submission::Clear(*reason)),
        Decision::Refuse(r) => return Err(ShieldError::Refused(r.clone())),
        Decision::Shield => {}
    }
    let head = client.head().await?;
    let block = client.at_head_for_building(&head).await?;
    let (key, nonce) = tokio::join!(
        next_key(client, Some(head.hash)),
        tx::next_nonce(client.rpc(), signer.public_key())
    );
    let key = key?.ok_or(ShieldError::Refused(Refusal::NoKey))?;
    let shielded = carrier::shield(
        &block,
        &prepared.preview.call,
        signer.public_key(),
        nonce?,
        Birth {
            number: head.number,
            hash: head.hash,
        },
        MORTAL_PERIOD_BLOCKS,
        &key,
        &Either::Signer(signer),
        &mut rand::rngs::OsRng,
    )
    .map_err(|e| match e {
        ShieldError::Blob(BlobError::TooLarge { len }) => {
            ShieldError::Refused(Refusal::TooLarge { len })
        }
        ShieldError::Blob(BlobError::KeyLength(len)) => {
            ShieldError::Refused(Refusal::BadKey { len })
        }
        other => other,
    })?;
    Ok(Submission::Shielded(shielded))
}

fn hex(bytes: &[u8]) -> String {
    format!("0x{}", ::hex::encode(bytes))
}
