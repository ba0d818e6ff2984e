//! Builds the transaction of an [`UnsignedTx`] with subxt's encoder (one path for the offline signer and for the
//! online side attaching the signature): the call is decoded from its bytes with the metadata given, re-encoded
//! (it must give the same bytes), and the extensions are subxt's, with `CheckMetadataHash` as asked.

use subxt::config::DefaultExtrinsicParamsBuilder;
use subxt::config::substrate::SpecVersionForRange;
use subxt::metadata::ArcMetadata;
use subxt::utils::{AccountId32, H256, MultiSignature};
use subxt::{OfflineClient, SubstrateConfig};
use taotui_keystore::derive::CryptoType;

use super::config::{AirgapConfig, MetadataHashParam};
use super::describe::{Line, describe_call};
use super::file::{MetadataHashMode, UnsignedTx};
use crate::chain::signer::KeypairSigner;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(
        "the call bytes do not decode with the metadata of {spec_name} spec {spec_version}: {message}. The file was damaged or made for another runtime; make it again on the online machine"
    )]
    Decode {
        spec_name: String,
        spec_version: u32,
        message: String,
    },
    #[error("the transaction could not be built: {0}")]
    Build(String),
    #[error(
        "the signature is {got} bytes, not the 64 of an {scheme} signature; the signature file is damaged"
    )]
    SignatureLength { got: usize, scheme: String },
}

/// How the built transaction is signed.
pub enum Signing<'a> {
    /// Sign now with the unlocked key (offline).
    Key(&'a KeypairSigner),
    /// Attach a signature made elsewhere (online).
    Given { crypto: CryptoType, bytes: &'a [u8] },
}

/// A built transaction.
#[derive(Debug, Clone)]
pub struct Built {
    pub bytes: Vec<u8>,
    pub hash: [u8; 32],
    pub signature: Vec<u8>,
    /// What the signature signs (subxt's signer payload, hashed when over 256 bytes): the online side verifies a
    /// signature against it before sending.
    pub signer_payload: Vec<u8>,
    /// The call as decoded by the metadata used.
    pub description: Vec<Line>,
    /// Its arguments as the local history records them.
    pub args: serde_json::Map<String, serde_json::Value>,
    pub pallet: String,
    pub call: String,
}

pub fn crypto_of(name: &str) -> CryptoType {
    if name.eq_ignore_ascii_case("ed25519") {
        CryptoType::Ed25519
    } else {
        CryptoType::Sr25519
    }
}

pub fn crypto_name(c: CryptoType) -> &'static str {
    match c {
        CryptoType::Sr25519 => "sr25519",
        CryptoType::Ed25519 => "ed25519",
    }
}

/// Builds `tx`'s transaction for the runtime described by `metadata`, with `mode` for `CheckMetadataHash`.
pub fn build(
    metadata: ArcMetadata,
    tx: &UnsignedTx,
    mode: MetadataHashMode,
    signing: Signing<'_>,
) -> Result<Built, BuildError> {
    let berr = |e: subxt::error::ExtrinsicError| BuildError::Build(e.to_string());
    let config = SubstrateConfig::builder()
        .set_genesis_hash(H256(tx.genesis_hash))
        .set_metadata_for_spec_versions([(tx.spec_version, metadata)])
        .set_spec_version_for_block_ranges([SpecVersionForRange {
            block_range: 0..u64::MAX,
            spec_version: tx.spec_version,
            transaction_version: tx.transaction_version,
        }])
        .build();
    let at = OfflineClient::new_with_config(AirgapConfig(config))
        .at_block(tx.era.birth_number)
        .map_err(|e| BuildError::Build(e.to_string()))?;
    let payload = at
        .tx()
        .from_call_data_bytes(&tx.call.bytes)
        .map_err(|e| BuildError::Decode {
            spec_name: tx.spec_name.clone(),
            spec_version: tx.spec_version,
            message: e.to_string(),
        })?;
    // What is signed is the re-encoding; it must be the bytes the file holds, or the description would be of
    // something else.
    let reencoded = at.tx().call_data(&payload).map_err(berr)?;
    if reencoded != tx.call.bytes {
        return Err(BuildError::Decode {
            spec_name: tx.spec_name.clone(),
            spec_version: tx.spec_version,
            message: "they decode, but encode back to other bytes".to_owned(),
        });
    }
    let description = describe_call(
        payload.pallet_name(),
        payload.call_name(),
        payload.call_data(),
    );
    let params = DefaultExtrinsicParamsBuilder::<AirgapConfig>::new()
        .nonce(tx.nonce)
        .tip(u128::from(tx.tip))
        .mortal_from_unchecked(tx.era.period, tx.era.birth_number, H256(tx.era.birth_hash))
        .build();
    let hash_param = MetadataHashParam(if mode.mode == 1 { mode.digest } else { None });
    let mut signable = at
        .tx()
        .create_signable_offline(&payload, (params, hash_param))
        .map_err(berr)?;
    let account = AccountId32(
        tx.signer_account()
            .map_err(|e| BuildError::Build(e.to_string()))?,
    );
    let signer_payload = signable.signer_payload().map_err(berr)?;
    let (crypto, signature) = match signing {
        Signing::Key(signer) => (
            signer.crypto_type(),
            signer.keypair().sign(&signer_payload).to_vec(),
        ),
        Signing::Given { crypto, bytes } => (crypto, bytes.to_vec()),
    };
    let sig64 =
        <[u8; 64]>::try_from(signature.as_slice()).map_err(|_| BuildError::SignatureLength {
            got: signature.len(),
            scheme: crypto_name(crypto).to_owned(),
        })?;
    let multi = match crypto {
        CryptoType::Sr25519 => MultiSignature::Sr25519(sig64),
        CryptoType::Ed25519 => MultiSignature::Ed25519(sig64),
    };
    let signed = signable
        .sign_with_account_and_signature(&account, &multi)
        .map_err(berr)?;
    Ok(Built {
        bytes: signed.encoded().to_vec(),
        hash: signed.hash().0,
        signature,
        signer_payload,
        description,
        args: super::describe::history_args(payload.call_data()),
        pallet: payload.pallet_name().to_owned(),
        call: payload.call_name().to_owned(),
    })
}
