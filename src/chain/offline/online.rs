//! The online machine's two steps, shared by the command line (`--sign-offline`, `taotui submit`) and the app
//! (`o` in a signing dialog, the History screen's submit): write the unsigned transaction of a previewed call,
//! and check, attach the signature to and send a signed one.

use std::path::{Path, PathBuf};

use subxt::ext::codec::{Decode, Encode};
use taotui_keystore::derive::CryptoType;

use super::build::{BuildError, Built, Signing, crypto_name, crypto_of};
use super::digest::{self, DigestError};
use super::file::{self, FileError};
use super::{Era, Line, MetadataHashMode, SignedTx, UNSIGNED_FORMAT, UnsignedCall, UnsignedTx};
use crate::chain::client::{ChainClient, rpc_error};
use crate::chain::error::ChainError;
use crate::chain::extrinsics::{self, ExtrinsicError, Prepared, SendOptions};
use crate::chain::history::History;
use crate::chain::mev_shield::ShieldPreview;
use crate::chain::runtime_info::RuntimeFacts;
use crate::chain::tx::{self, MORTAL_PERIOD_BLOCKS, TxError};

const METADATA_HASH_EXTENSION: &str = "CheckMetadataHash";

pub const REFUSED_SENTENCE: &str = "this runtime refuses the metadata check (it was built without a metadata hash \
     and answers a mode-1 transaction with CannotLookup): the offline machine must sign with --no-metadata-hash, \
     and then nothing but your own reading binds the call it shows to what the chain runs";

#[derive(Debug, thiserror::Error)]
pub enum OnlineError {
    #[error(transparent)]
    Chain(#[from] ChainError),
    #[error(transparent)]
    Tx(Box<TxError>),
    #[error(transparent)]
    Extrinsic(Box<ExtrinsicError>),
    #[error(transparent)]
    Digest(#[from] DigestError),
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error(transparent)]
    File(#[from] FileError),
    #[error("could not encode {call}: {message}")]
    Encode { call: String, message: String },
    #[error("the preview could not be written into the file: {0}")]
    Preview(String),
    #[error("the node's metadata answer does not decode: {0}")]
    MetadataAnswer(String),
    #[error("this runtime does not serve V15 metadata, which the metadata check needs")]
    NoV15,
    #[error(
        "{path} is not signed yet: sign it on the offline machine with `taotui sign {path}` and submit the signed file (or give it with --signature)"
    )]
    NotSigned { path: String },
    #[error(
        "the file is for another chain (genesis 0x{file_genesis}) than {network} (genesis 0x{genesis}); submit it with the --network it was made on"
    )]
    OtherChain {
        file_genesis: String,
        network: String,
        genesis: String,
    },
    #[error(
        "the runtime was upgraded from spec {from} to {to} since the file was made, so the chain would refuse the signature; make a new unsigned file and sign it again"
    )]
    Upgraded { from: u32, to: u32 },
    #[error(
        "the transaction expired: its era ended at block #{valid_until} and the chain is at #{head}; make a new unsigned file and sign it again (the signed file has {period} blocks, about {minutes} minutes, to be submitted)"
    )]
    Expired {
        valid_until: u64,
        head: u64,
        period: u64,
        minutes: u64,
    },
    #[error(
        "block #{birth} of this chain is not the block the file was made at; make a new unsigned file"
    )]
    OtherBirth { birth: u64 },
    #[error(
        "stale nonce: the transaction was signed with nonce {nonce} but {signer} has sent a transaction with it since (its next nonce is {next}); make a new unsigned file and sign it again"
    )]
    StaleNonce {
        nonce: u64,
        signer: String,
        next: u64,
    },
    #[error(
        "the transaction has nonce {nonce} but {signer}'s next nonce is {next}: an earlier transaction has not landed yet; submit that one first or make a new unsigned file"
    )]
    EarlyNonce {
        nonce: u64,
        signer: String,
        next: u64,
    },
    #[error(
        "the signature does not verify against {signer}'s key over this transaction (it was made for another transaction, by another key or over other metadata); nothing was submitted"
    )]
    BadSignature { signer: String },
    #[error(transparent)]
    Pair(#[from] super::pair::PairError),
    #[error("{message}\nThe chain refused the metadata check: {REFUSED_SENTENCE}.")]
    MetadataCheckRefused { message: String },
}

// Boxed: the send errors are large and every other answer is small.
impl From<TxError> for OnlineError {
    fn from(e: TxError) -> Self {
        OnlineError::Tx(Box::new(e))
    }
}

impl From<ExtrinsicError> for OnlineError {
    fn from(e: ExtrinsicError) -> Self {
        OnlineError::Extrinsic(Box::new(e))
    }
}

/// What the online side proposes to sign: the call, its description in the online side's words, and the block
/// its era starts at.
pub struct Proposal {
    pub pallet: String,
    pub name: String,
    pub call_bytes: Vec<u8>,
    pub description: Vec<Line>,
    pub birth: (u64, [u8; 32]),
    pub mev_shield: String,
    pub preview: serde_json::Value,
}

impl Proposal {
    /// Names and describes the call from the payload its bytes were encoded from, so the file says what they are.
    fn of(
        payload: &subxt::transactions::DynamicPayload<subxt::ext::scale_value::Composite<()>>,
        call_bytes: Vec<u8>,
        birth: (u64, [u8; 32]),
        mev_shield: String,
        preview: serde_json::Value,
    ) -> Proposal {
        Proposal {
            pallet: payload.pallet_name().to_owned(),
            name: payload.call_name().to_owned(),
            call_bytes,
            description: super::describe_call(
                payload.pallet_name(),
                payload.call_name(),
                payload.call_data(),
            ),
            birth,
            mev_shield,
            preview,
        }
    }
}

/// The proposal of a previewed action (what a signing command or dialog would sign).
pub fn proposal_of_prepared(
    prepared: &Prepared,
    shield: &ShieldPreview,
) -> Result<Proposal, OnlineError> {
    // The payload as it is encoded (a proxied call inside `Proxy.proxy`, a batch as `Utility.batch_all`): the file
    // names and describes what its bytes are, so the offline side, decoding them, reads the same.
    let payload = extrinsics::payload(&prepared.preview.call);
    let call_bytes =
        prepared
            .at_block()
            .tx()
            .call_data(&payload)
            .map_err(|e| OnlineError::Encode {
                call: prepared.preview.call.path(),
                message: e.to_string(),
            })?;
    Ok(Proposal::of(
        &payload,
        call_bytes,
        (prepared.birth_block, prepared.birth_hash),
        offline_shield_line(shield),
        serde_json::to_value(&prepared.preview).map_err(|e| OnlineError::Preview(e.to_string()))?,
    ))
}

/// The proposal of a call built directly (e.g. `proxy add`), born at the head.
pub async fn proposal_of_payload(
    client: &ChainClient,
    payload: &subxt::transactions::DynamicPayload<subxt::ext::scale_value::Composite<()>>,
) -> Result<Proposal, OnlineError> {
    let head = client.head().await?;
    let at = client.at_head_for_building(&head).await?;
    let call_bytes = at
        .tx()
        .call_data(payload)
        .map_err(|e| OnlineError::Encode {
            call: format!("{}.{}", payload.pallet_name(), payload.call_name()),
            message: e.to_string(),
        })?;
    Ok(Proposal::of(
        payload,
        call_bytes,
        (head.number, head.hash),
        "not shielded: this call is not a stake trade".to_owned(),
        serde_json::Value::Null,
    ))
}

/// The MEV shield sentence for a transaction signed offline: where the preview would shield it, it says that this
/// one goes in the clear (the shield's carrier needs a second signature, made online), never silently.
pub fn offline_shield_line(shield: &ShieldPreview) -> String {
    if shield.is_shielded() {
        "not shielded: signed offline, this transaction goes in the clear (the MEV shield needs a second \
         signature online), so others can see it in the pool and trade against it"
            .to_owned()
    } else {
        shield.line()
    }
}

/// The V15 metadata bytes of the runtime at `at` (the metadata hash is defined over V15).
pub async fn raw_metadata_v15(
    client: &ChainClient,
    at: Option<[u8; 32]>,
) -> Result<Vec<u8>, OnlineError> {
    let raw = client
        .state_call("Metadata_metadata_at_version", &15u32.encode(), at)
        .await?;
    let bytes = <Option<Vec<u8>>>::decode(&mut &raw[..])
        .map_err(|e| OnlineError::MetadataAnswer(e.to_string()))?;
    bytes.ok_or(OnlineError::NoV15)
}

pub fn has_metadata_hash(md: &subxt::Metadata) -> bool {
    RuntimeFacts::of(md)
        .extensions
        .iter()
        .any(|e| e == METADATA_HASH_EXTENSION)
}

/// The unsigned transaction of `proposal`, to be signed offline by `signer` (a watch-only wallet's address is
/// enough: no key is read). Reads the nonce, the metadata digest and whether the runtime refuses the check.
pub async fn unsigned_tx(
    client: &ChainClient,
    signer: [u8; 32],
    crypto: CryptoType,
    proposal: Proposal,
) -> Result<UnsignedTx, OnlineError> {
    let (birth_number, birth_hash) = proposal.birth;
    let md = client.metadata();
    let nonce = tx::next_nonce(client.rpc(), signer).await?;
    let spec_name = RuntimeFacts::of(&md).spec_name.unwrap_or_default();
    let metadata_hash = if has_metadata_hash(&md) {
        let raw = raw_metadata_v15(client, Some(birth_hash)).await?;
        MetadataHashMode {
            mode: 1,
            digest: Some(digest::metadata_hash(&raw)?),
        }
    } else {
        MetadataHashMode {
            mode: 0,
            digest: None,
        }
    };
    let mut unsigned = UnsignedTx {
        format: UNSIGNED_FORMAT.to_owned(),
        version: file::FILE_VERSION,
        network: client.network().name().to_owned(),
        genesis_hash: client.genesis_hash(),
        spec_name,
        spec_version: client.spec_version(),
        transaction_version: client.transaction_version(),
        signer: taotui_keystore::ss58::encode(&signer, 42),
        crypto: crypto_name(crypto).to_owned(),
        nonce,
        tip: 0,
        era: Era {
            birth_number,
            birth_hash,
            period: MORTAL_PERIOD_BLOCKS,
        },
        metadata_hash,
        metadata_hash_refused: false,
        call: UnsignedCall {
            pallet: proposal.pallet,
            name: proposal.name,
            bytes: proposal.call_bytes,
        },
        description: proposal.description,
        mev_shield: proposal.mev_shield,
        preview: proposal.preview,
    };
    if unsigned.metadata_hash.mode == 1 {
        unsigned.metadata_hash_refused =
            refuses_metadata_hash(client, &unsigned, birth_hash).await?;
    }
    Ok(unsigned)
}

/// Whether the runtime answers a mode-1 transaction with `UnknownTransaction::CannotLookup`, which
/// `CheckMetadataHash` does before any signature check when the runtime has no metadata hash built in. Asked with
/// a dummy signature: the refusal comes first, so no key is needed to see it.
async fn refuses_metadata_hash(
    client: &ChainClient,
    unsigned: &UnsignedTx,
    at: [u8; 32],
) -> Result<bool, OnlineError> {
    let built = super::build(
        client.metadata(),
        unsigned,
        unsigned.metadata_hash,
        Signing::Given {
            crypto: crypto_of(&unsigned.crypto),
            bytes: &[0; 64],
        },
    )?;
    // TransactionSource::External, the extrinsic, the block to validate at.
    let mut args = vec![2u8];
    args.extend_from_slice(&built.bytes);
    args.extend_from_slice(&at);
    let answer = client
        .state_call(
            "TaggedTransactionQueue_validate_transaction",
            &args,
            Some(at),
        )
        .await?;
    // Err(TransactionValidityError::Unknown(UnknownTransaction::CannotLookup)).
    Ok(answer.starts_with(&[1, 1, 0]))
}

/// What to do with a written unsigned file, in one paragraph.
pub fn next_steps(unsigned: &UnsignedTx, path: &Path) -> String {
    format!(
        "Not signed. The unsigned transaction is in {}: copy it to the offline machine and run `taotui sign {}` \
         there, then bring the signed file back and run `taotui submit`. It must land by block #{} (nonce {}).",
        path.display(),
        path.display(),
        unsigned.era.valid_until(),
        unsigned.nonce
    )
}

/// `<dir>/<UTC time>-<Pallet>.<call>.unsigned.json`: sorts by time, says what it holds, and `taotui sign` names
/// its signed file after it (`….signed.json`).
pub fn default_unsigned_path(dir: &Path, unsigned: &UnsignedTx, now_secs: u64) -> PathBuf {
    let stamp = i64::try_from(now_secs)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year][month][day]T[hour][minute][second]Z"
            ))
            .ok()
        })
        .unwrap_or_else(|| now_secs.to_string());
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    dir.join(format!(
        "{stamp}-{}.{}.unsigned.json",
        safe(&unsigned.call.pallet),
        safe(&unsigned.call.name)
    ))
}

/// Writes `unsigned` at `path`, 0600, creating its folder 0700 when missing (the app's own `offline/` folder;
/// a folder the user names, like a USB stick, already exists and is left as it is).
pub fn write_unsigned(unsigned: &UnsignedTx, path: &Path) -> Result<(), OnlineError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.exists()
    {
        crate::config::private_fs::create_private_dir(dir).map_err(|e| FileError::Write {
            path: dir.display().to_string(),
            message: e.to_string(),
        })?;
    }
    unsigned.write(path)?;
    Ok(())
}

/// A signed file as `taotui submit FILE` reads it: refused with a sentence when it is the unsigned one.
pub fn read_signed(path: &Path) -> Result<SignedTx, OnlineError> {
    if !file::is_signed(path) {
        // An unreadable or corrupt file says so in its own words.
        let _ = UnsignedTx::read(path)?;
        return Err(OnlineError::NotSigned {
            path: path.display().to_string(),
        });
    }
    Ok(SignedTx::read(path)?)
}

/// A signed transaction checked against the connected chain and built, ready to send.
#[derive(Debug, Clone)]
pub struct Ready {
    pub built: Built,
    pub presigned: extrinsics::send::Presigned,
    /// The mode the signature commits to (the CannotLookup refusal is explained only for mode 1).
    pub metadata_hash: MetadataHashMode,
}

/// Checks the file against the chain (network, runtime, era, nonce) and attaches the signature, saying what is
/// wrong before anything is sent.
pub async fn check_and_build(
    client: &ChainClient,
    unsigned: &UnsignedTx,
    signed: &SignedTx,
) -> Result<Ready, OnlineError> {
    check_and_build_with(client, unsigned, signed.metadata_hash, &signed.signature).await
}

/// [`check_and_build`] for a signature text paired with its unsigned file.
pub async fn check_and_build_paired(
    client: &ChainClient,
    paired: &super::pair::Paired,
) -> Result<Ready, OnlineError> {
    let mode = paired.metadata_hash()?;
    check_and_build_with(client, &paired.unsigned, mode, &paired.signature.signature).await
}

/// Checks the transaction against the chain, attaches `signature` (made with `metadata_hash`) and verifies it
/// against the signer's key before anything is sent.
pub async fn check_and_build_with(
    client: &ChainClient,
    unsigned: &UnsignedTx,
    metadata_hash: MetadataHashMode,
    signature: &[u8],
) -> Result<Ready, OnlineError> {
    if client.genesis_hash() != unsigned.genesis_hash {
        return Err(OnlineError::OtherChain {
            file_genesis: hex::encode(unsigned.genesis_hash),
            network: client.network().name().to_owned(),
            genesis: hex::encode(client.genesis_hash()),
        });
    }
    if client.spec_version() != unsigned.spec_version {
        return Err(OnlineError::Upgraded {
            from: unsigned.spec_version,
            to: client.spec_version(),
        });
    }
    let head = client.head().await?;
    let valid_until = unsigned.era.valid_until();
    if head.number >= valid_until {
        return Err(OnlineError::Expired {
            valid_until,
            head: head.number,
            period: unsigned.era.period,
            minutes: unsigned.era.period * 12 / 60,
        });
    }
    let birth: Option<String> = client
        .rpc()
        .request(
            "chain_getBlockHash",
            subxt::rpcs::rpc_params![unsigned.era.birth_number],
        )
        .await
        .map_err(|e| rpc_error("chain_getBlockHash", e))?;
    let on_chain = birth.and_then(|h| hex::decode(h.trim_start_matches("0x")).ok());
    if on_chain.as_deref() != Some(&unsigned.era.birth_hash[..]) {
        return Err(OnlineError::OtherBirth {
            birth: unsigned.era.birth_number,
        });
    }
    let account = unsigned.signer_account()?;
    let next = tx::next_nonce(client.rpc(), account).await?;
    if next > unsigned.nonce {
        return Err(OnlineError::StaleNonce {
            nonce: unsigned.nonce,
            signer: unsigned.signer.clone(),
            next,
        });
    }
    if next < unsigned.nonce {
        return Err(OnlineError::EarlyNonce {
            nonce: unsigned.nonce,
            signer: unsigned.signer.clone(),
            next,
        });
    }
    let crypto = crypto_of(&unsigned.crypto);
    let built = super::build(
        client.metadata(),
        unsigned,
        metadata_hash,
        Signing::Given {
            crypto,
            bytes: signature,
        },
    )?;
    let verifies = <[u8; 64]>::try_from(signature).is_ok_and(|sig| {
        taotui_keystore::derive::verify(crypto, &account, &built.signer_payload, &sig)
    });
    if !verifies {
        return Err(OnlineError::BadSignature {
            signer: unsigned.signer.clone(),
        });
    }
    let presigned = extrinsics::send::Presigned {
        bytes: built.bytes.clone(),
        hash: built.hash,
        nonce: unsigned.nonce,
        coldkey: account,
        birth_block: unsigned.era.birth_number,
        valid_until,
        call: format!("{}.{}", built.pallet, built.call),
        details: built.args.clone(),
    };
    Ok(Ready {
        built,
        presigned,
        metadata_hash,
    })
}

/// Sends a checked transaction once and tracks it like any other (history record, bounded search after a lost
/// watch).
pub async fn send_ready(
    client: &ChainClient,
    ready: &Ready,
    history: Option<&History>,
    options: &SendOptions,
) -> Result<extrinsics::send::Sent, OnlineError> {
    match extrinsics::send::send_presigned(client, &ready.presigned, history, options).await {
        Err(e) if ready.metadata_hash.mode == 1 && e.to_string().contains("CannotLookup") => {
            Err(OnlineError::MetadataCheckRefused {
                message: e.to_string(),
            })
        }
        other => Ok(other?),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::amount::Rao;
    use crate::chain::mev_shield::{ClearReason, Decision};

    #[test]
    fn a_stake_the_preview_would_shield_says_it_goes_in_the_clear_when_signed_offline() {
        let shielded = ShieldPreview {
            decision: Decision::Shield,
            carrier_fee: Some(Rao(1_000)),
            blob_len: Some(600),
        };
        let line = offline_shield_line(&shielded);
        assert!(line.starts_with("not shielded: signed offline"), "{line}");
        assert!(line.contains("in the clear"), "{line}");
        let clear = ShieldPreview::clear(ClearReason::NoPallet);
        assert_eq!(offline_shield_line(&clear), clear.line());
    }

    fn unsigned(pallet: &str, name: &str) -> UnsignedTx {
        UnsignedTx {
            format: UNSIGNED_FORMAT.to_owned(),
            version: file::FILE_VERSION,
            network: "local".to_owned(),
            genesis_hash: [1; 32],
            spec_name: "node-subtensor".to_owned(),
            spec_version: 293,
            transaction_version: 1,
            signer: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY".to_owned(),
            crypto: "sr25519".to_owned(),
            nonce: 3,
            tip: 0,
            era: Era {
                birth_number: 10,
                birth_hash: [2; 32],
                period: 64,
            },
            metadata_hash: MetadataHashMode {
                mode: 0,
                digest: None,
            },
            metadata_hash_refused: false,
            call: UnsignedCall {
                pallet: pallet.to_owned(),
                name: name.to_owned(),
                bytes: vec![5, 3],
            },
            description: Vec::new(),
            mev_shield: String::new(),
            preview: serde_json::Value::Null,
        }
    }

    #[test]
    fn the_default_path_names_the_time_and_the_call_and_keeps_odd_names_in_one_file_name() {
        let dir = Path::new("/data/offline");
        // 2026-11-30 02:40:00 UTC.
        let p = default_unsigned_path(
            dir,
            &unsigned("SubtensorModule", "add_stake"),
            1_796_006_400,
        );
        assert_eq!(
            p,
            PathBuf::from("/data/offline/20261130T024000Z-SubtensorModule.add_stake.unsigned.json")
        );
        let odd = default_unsigned_path(dir, &unsigned("../x", "a/b"), 0);
        assert_eq!(odd.parent(), Some(dir), "{}", odd.display());
        assert!(
            odd.ends_with("19700101T000000Z----x.a-b.unsigned.json"),
            "{}",
            odd.display()
        );
    }

    #[test]
    fn the_default_folder_is_made_private_and_the_file_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("offline").join("a.unsigned.json");
        write_unsigned(&unsigned("Balances", "transfer_keep_alive"), &path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
        }
        assert_eq!(
            UnsignedTx::read(&path).unwrap(),
            unsigned("Balances", "transfer_keep_alive")
        );
    }

    #[test]
    fn an_unsigned_or_corrupt_file_is_refused_as_a_signed_one_with_a_sentence() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.unsigned.json");
        unsigned("Balances", "transfer_keep_alive")
            .write(&path)
            .unwrap();
        let e = read_signed(&path).unwrap_err().to_string();
        assert!(
            e.contains("is not signed yet") && e.contains("taotui sign"),
            "{e}"
        );
        std::fs::write(&path, b"{ not json").unwrap();
        let e = read_signed(&path).unwrap_err().to_string();
        assert!(
            e.contains("is not a taotui unsigned transaction file"),
            "{e}"
        );
        let e = read_signed(&dir.path().join("missing.json"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("could not read"), "{e}");
    }
}
