//! Air-gapped signing from the command line: `--sign-offline FILE` on the signing commands (online),
//! `taotui sign FILE` (offline), `taotui submit FILE` (online), `taotui metadata export|import`.
//!
//! `taotui sign` never connects: it reads no network setting and builds no client, so it works on a machine that
//! has none, and the call it shows is decoded by its own metadata, not taken from the online side's words.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use serde::Serialize;
use subxt::ext::codec::{Decode, Encode};
use taotui_keystore::wallet::KeyTarget;

use crate::chain::client::ChainClient;
use crate::chain::extrinsics::{self, Prepared, SendOptions};
use crate::chain::history::History;
use crate::chain::mev_shield::ShieldPreview;
use crate::chain::offline::build::{Signing, crypto_name, crypto_of};
use crate::chain::offline::store::MetadataStore;
use crate::chain::offline::{
    self, Era, Line, MetadataHashMode, SignedTx, UNSIGNED_FORMAT, UnsignedCall, UnsignedTx, digest,
};
use crate::chain::runtime_info::RuntimeFacts;
use crate::chain::tx::{self, MORTAL_PERIOD_BLOCKS};

use super::GlobalArgs;
use super::output::{Table, print_json, print_text};
use super::prompt::Prompter;
use super::stake_cmds::{Signing as SigningWallet, connect, runtime, signing_wallet};

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The unsigned transaction file written by `--sign-offline`.
    pub file: PathBuf,
    /// The signing wallet (its coldkey must be the file's signer).
    #[arg(long, short = 'w', value_name = "NAME", default_value = "default")]
    pub wallet_name: String,
    /// Where to write the signed transaction (default: FILE with `.signed.json`).
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Sign without the metadata check (CheckMetadataHash mode 0), for a runtime built without a metadata hash,
    /// which refuses mode 1.
    #[arg(long)]
    pub no_metadata_hash: bool,
    /// Sign the call as decoded here even though the online machine described something else.
    #[arg(long)]
    pub accept_differences: bool,
}

#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// The signed transaction written by `taotui sign` (or, with --signature, the unsigned file).
    pub file: PathBuf,
    /// The signed transaction file whose signature to attach to the unsigned FILE.
    #[arg(long, value_name = "PATH")]
    pub signature: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum MetadataCommand {
    /// Save the connected runtime's metadata (V15, SCALE bytes) for the offline machine.
    Export {
        /// Where to write it (default: <spec_name>-<spec_version>.scale here).
        file: Option<PathBuf>,
    },
    /// Keep a metadata file (from `export`, or state_getMetadata's bytes or hex) for `taotui sign`.
    Import { file: PathBuf },
}

const METADATA_HASH_EXTENSION: &str = "CheckMetadataHash";

/// The V15 metadata bytes of the runtime at `at` (the metadata hash is defined over V15).
async fn raw_metadata_v15(client: &ChainClient, at: Option<[u8; 32]>) -> Result<Vec<u8>> {
    let raw = client
        .state_call("Metadata_metadata_at_version", &15u32.encode(), at)
        .await?;
    let bytes = <Option<Vec<u8>>>::decode(&mut &raw[..])
        .context("the node's metadata answer does not decode")?;
    bytes.context("this runtime does not serve V15 metadata, which the metadata check needs")
}

fn has_metadata_hash(md: &subxt::Metadata) -> bool {
    RuntimeFacts::of(md)
        .extensions
        .iter()
        .any(|e| e == METADATA_HASH_EXTENSION)
}

fn mode_line(mode: &MetadataHashMode, has_extension: bool, turned_off: bool) -> String {
    match (mode.digest, has_extension) {
        (Some(d), _) if mode.mode == 1 => format!(
            "metadata check: on (CheckMetadataHash mode 1, digest 0x{}): the chain accepts the signature only if \
             its metadata is the one this call was decoded with",
            hex::encode(d)
        ),
        (_, false) => "metadata check: not possible: this runtime has no CheckMetadataHash, so the chain cannot \
                       confirm the call was decoded as shown; compare it with the online preview yourself"
            .to_owned(),
        _ if turned_off => "metadata check: off (--no-metadata-hash): the signature does not commit to the \
                            metadata; compare the call with the online preview yourself"
            .to_owned(),
        _ => "metadata check: off".to_owned(),
    }
}

fn render_lines(lines: &[Line]) -> String {
    let mut t = Table::new(["", ""]);
    for l in lines {
        t.row([l.label.clone(), l.text.clone()]);
    }
    t.render()
}

/// What the online side proposes to sign: the call, its description in the online side's words, and the block
/// its era starts at.
struct Proposal {
    pallet: String,
    name: String,
    call_bytes: Vec<u8>,
    description: Vec<Line>,
    birth: (u64, [u8; 32]),
    mev_shield: String,
    preview: serde_json::Value,
}

/// Online: writes the unsigned transaction of a previewed action instead of signing it.
pub(crate) async fn write_unsigned(
    client: &ChainClient,
    prepared: &Prepared,
    signing: &SigningWallet,
    shield: &ShieldPreview,
    path: &Path,
    prompter: &Prompter,
    json: bool,
) -> Result<()> {
    // The payload as it is encoded (a proxied call inside `Proxy.proxy`, a batch as `Utility.batch_all`): the file
    // names and describes what its bytes are, so the offline side, decoding them, reads the same.
    let payload = extrinsics::payload(&prepared.preview.call);
    let call_bytes =
        prepared.at_block().tx().call_data(&payload).map_err(|e| {
            anyhow::anyhow!("could not encode {}: {e}", prepared.preview.call.path())
        })?;
    let mev_shield = offline_shield_line(shield);
    let proposal = Proposal {
        pallet: payload.pallet_name().to_owned(),
        name: payload.call_name().to_owned(),
        call_bytes,
        description: offline::describe_call(
            payload.pallet_name(),
            payload.call_name(),
            payload.call_data(),
        ),
        birth: (prepared.birth_block, prepared.birth_hash),
        mev_shield,
        preview: serde_json::to_value(&prepared.preview)?,
    };
    write_proposal(client, signing, proposal, path, prompter, json).await
}

/// The MEV shield sentence for a transaction signed offline: where the preview would shield it, it says that this
/// one goes in the clear (the shield's carrier needs a second signature, made online), never silently.
fn offline_shield_line(shield: &ShieldPreview) -> String {
    if shield.is_shielded() {
        "not shielded: signed offline, this transaction goes in the clear (the MEV shield needs a second \
         signature online), so others can see it in the pool and trade against it"
            .to_owned()
    } else {
        shield.line()
    }
}

/// Online: writes the unsigned transaction of a call built directly (e.g. `proxy add`), born at the head.
pub(crate) async fn write_unsigned_payload(
    client: &ChainClient,
    payload: &subxt::transactions::DynamicPayload<subxt::ext::scale_value::Composite<()>>,
    signing: &SigningWallet,
    path: &Path,
    prompter: &Prompter,
    json: bool,
) -> Result<()> {
    let head = client.head().await?;
    let at = client
        .api()
        .at_block_hash_and_number(subxt::utils::H256(head.hash), head.number)
        .await
        .map_err(|e| anyhow::anyhow!("could not read block #{}: {e}", head.number))?;
    let call_bytes = at.tx().call_data(payload).map_err(|e| {
        anyhow::anyhow!(
            "could not encode {}.{}: {e}",
            payload.pallet_name(),
            payload.call_name()
        )
    })?;
    let proposal = Proposal {
        pallet: payload.pallet_name().to_owned(),
        name: payload.call_name().to_owned(),
        call_bytes,
        description: offline::describe_call(
            payload.pallet_name(),
            payload.call_name(),
            payload.call_data(),
        ),
        birth: (head.number, head.hash),
        mev_shield: "not shielded: this call is not a stake trade".to_owned(),
        preview: serde_json::Value::Null,
    };
    write_proposal(client, signing, proposal, path, prompter, json).await
}

async fn write_proposal(
    client: &ChainClient,
    signing: &SigningWallet,
    proposal: Proposal,
    path: &Path,
    prompter: &Prompter,
    json: bool,
) -> Result<()> {
    let (birth_number, birth_hash) = proposal.birth;
    let md = client.metadata();
    let nonce = tx::next_nonce(client.rpc(), signing.coldkey).await?;
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
        version: offline::file::FILE_VERSION,
        network: client.network().name().to_owned(),
        genesis_hash: client.genesis_hash(),
        spec_name,
        spec_version: client.spec_version(),
        transaction_version: client.transaction_version(),
        signer: taotui_keystore::ss58::encode(&signing.coldkey, 42),
        crypto: crypto_name(signing.crypto).to_owned(),
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
    unsigned.write(path)?;
    if json {
        return print_json(&unsigned);
    }
    prompter.say(&unsigned.mev_shield);
    if unsigned.metadata_hash_refused {
        prompter.say(REFUSED_SENTENCE);
    }
    print_text(&format!(
        "Not signed. The unsigned transaction is in {}: copy it to the offline machine and run `taotui sign {}` \
         there, then bring the signed file back and run `taotui submit`. It must land by block #{} (nonce {}).",
        path.display(),
        path.display(),
        unsigned.era.valid_until(),
        nonce
    ))
}

const REFUSED_SENTENCE: &str = "this runtime refuses the metadata check (it was built without a metadata hash \
     and answers a mode-1 transaction with CannotLookup): the offline machine must sign with --no-metadata-hash, \
     and then nothing but your own reading binds the call it shows to what the chain runs";

/// Whether the runtime answers a mode-1 transaction with `UnknownTransaction::CannotLookup`, which
/// `CheckMetadataHash` does before any signature check when the runtime has no metadata hash built in. Asked with
/// a dummy signature: the refusal comes first, so no key is needed to see it.
async fn refuses_metadata_hash(
    client: &ChainClient,
    unsigned: &UnsignedTx,
    at: [u8; 32],
) -> Result<bool> {
    let built = offline::build(
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

fn default_out(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "transaction".to_owned());
    file.with_file_name(format!("{stem}.signed.json"))
}

#[derive(Serialize)]
struct SignJson<'a> {
    signed: bool,
    out: String,
    description: &'a [Line],
    differences: &'a [String],
    metadata_hash: &'a MetadataHashMode,
    extrinsic_hash: String,
}

/// Offline: decodes, shows, compares, asks, signs. Makes no connection.
pub fn sign(args: SignArgs, global: &GlobalArgs) -> Result<()> {
    offline::forbid_network();
    let prompter = Prompter::new(global.password_file.clone(), global.yes);
    let unsigned = UnsignedTx::read(&args.file)?;
    let store = MetadataStore::default_location()?;
    let held = store.load(&unsigned.spec_name, unsigned.spec_version)?;
    let has_extension = has_metadata_hash(&held.metadata);
    let mode = if has_extension && !args.no_metadata_hash {
        MetadataHashMode {
            mode: 1,
            digest: Some(digest::metadata_hash(&held.raw)?),
        }
    } else {
        MetadataHashMode {
            mode: 0,
            digest: None,
        }
    };
    let crypto = crypto_of(&unsigned.crypto);
    let metadata: subxt::metadata::ArcMetadata = held.metadata.into();
    // Built once with a dummy signature to decode and describe before asking for the password.
    let preview = offline::build(
        metadata.clone(),
        &unsigned,
        mode,
        Signing::Given {
            crypto,
            bytes: &[0; 64],
        },
    )?;
    let differences = offline::differences(&unsigned.description, &preview.description);
    if !global.json {
        prompter.say(&format!(
            "Offline signing: no network connection is made. Decoded with the metadata of {} spec {} held here.",
            held.spec_name, held.spec_version
        ));
        prompter.say(&render_lines(&preview.description));
        let mut t = Table::new(["", ""]);
        t.row(["signer".to_owned(), unsigned.signer.clone()]);
        t.row([
            "network".to_owned(),
            format!("{} (as the online machine names it)", unsigned.network),
        ]);
        t.row([
            "genesis".to_owned(),
            offline::file::genesis_words(&unsigned.genesis_hash),
        ]);
        t.row(["nonce".to_owned(), unsigned.nonce.to_string()]);
        t.row([
            "valid".to_owned(),
            format!(
                "blocks #{}..#{} (born at 0x{})",
                unsigned.era.birth_number,
                unsigned.era.valid_until(),
                hex::encode(unsigned.era.birth_hash)
            ),
        ]);
        t.row(["tip".to_owned(), unsigned.tip.to_string()]);
        t.row([
            "runtime".to_owned(),
            format!(
                "{} spec {} transaction version {}",
                unsigned.spec_name, unsigned.spec_version, unsigned.transaction_version
            ),
        ]);
        prompter.say(&t.render());
        prompter.say(&mode_line(&mode, has_extension, args.no_metadata_hash));
        prompter.say(&unsigned.mev_shield);
        for d in &differences {
            prompter.say(&format!("DIFFERENT: {d}"));
        }
    }
    if mode.mode == 1 && unsigned.metadata_hash_refused {
        bail!(
            "not signed: the online machine reports that {REFUSED_SENTENCE}. If you accept that, run again with \
             --no-metadata-hash and check the call above against what you meant to do"
        );
    }
    if !differences.is_empty() && !args.accept_differences {
        bail!(
            "not signed: the call is not what the online machine described ({} difference(s) above); if you want \
             the call exactly as shown here, run again with --accept-differences",
            differences.len()
        );
    }
    let signing = signing_wallet(global, &args.wallet_name)?;
    if taotui_keystore::ss58::encode(&signing.coldkey, 42) != unsigned.signer {
        bail!(
            "wallet {:?}'s coldkey is {}, but the transaction is to be signed by {}; use -w with that wallet",
            signing.name,
            taotui_keystore::ss58::encode(&signing.coldkey, 42),
            unsigned.signer
        );
    }
    if !prompter.confirm("Sign this transaction?")? {
        bail!("cancelled; nothing was signed");
    }
    let password = prompter.password(&format!("wallet {:?}'s coldkey", signing.name))?;
    let signer = signing
        .wallet
        .unlock(&KeyTarget::Coldkey, Some(&password))
        .map(crate::chain::signer::KeypairSigner::new)
        .map_err(|e| anyhow::anyhow!("could not unlock the coldkey: {e}"))?;
    let built = offline::build(metadata.clone(), &unsigned, mode, Signing::Key(&signer))?;
    drop(signer);
    let out = args.out.unwrap_or_else(|| default_out(&args.file));
    let signed = SignedTx::new(
        unsigned,
        mode,
        built.signature.clone(),
        built.description.clone(),
        built.hash,
    );
    signed.write(&out)?;
    if global.json {
        return print_json(&SignJson {
            signed: true,
            out: out.display().to_string(),
            description: &built.description,
            differences: &differences,
            metadata_hash: &mode,
            extrinsic_hash: extrinsics::send::hex(&built.hash),
        });
    }
    print_text(&format!(
        "Signed {}.{} (extrinsic {}). The signed transaction is in {}: take it to the online machine and run \
         `taotui submit {}`.",
        built.pallet,
        built.call,
        extrinsics::send::hex(&built.hash),
        out.display(),
        out.display()
    ))
}

#[derive(Serialize)]
struct SubmitJson {
    submitted: bool,
    call: String,
    extrinsic_hash: String,
    block_hash: String,
    block_number: u64,
    events: Vec<String>,
    recovered: bool,
}

/// Online: checks the file against the chain, attaches the signature, submits and tracks it.
pub fn submit(args: SubmitArgs, global: &GlobalArgs) -> Result<()> {
    let (unsigned, signed) = match &args.signature {
        Some(sig) => (UnsignedTx::read(&args.file)?, SignedTx::read(sig)?),
        None => {
            if !offline::file::is_signed(&args.file) {
                bail!(
                    "{} is not signed yet: sign it on the offline machine with `taotui sign {}` and submit the \
                     signed file (or give it with --signature)",
                    args.file.display(),
                    args.file.display()
                );
            }
            let s = SignedTx::read(&args.file)?;
            (s.unsigned.clone(), s)
        }
    };
    let prompter = Prompter::new(global.password_file.clone(), global.yes);
    if signed.unsigned != unsigned && !global.json {
        prompter.say(
            "warning: the signature was made for a different transaction than this file; the chain will refuse it",
        );
    }
    let rt = runtime()?;
    rt.block_on(async {
        let client = connect(global).await?;
        if client.genesis_hash() != unsigned.genesis_hash {
            bail!(
                "the file is for another chain (genesis 0x{}) than {} (genesis 0x{}); submit it with the --network \
                 it was made on",
                hex::encode(unsigned.genesis_hash),
                client.network().name(),
                hex::encode(client.genesis_hash())
            );
        }
        if client.spec_version() != unsigned.spec_version {
            bail!(
                "the runtime was upgraded from spec {} to {} since the file was made, so the chain would refuse the \
                 signature; make a new unsigned file and sign it again",
                unsigned.spec_version,
                client.spec_version()
            );
        }
        let head = client.head().await?;
        let valid_until = unsigned.era.valid_until();
        if head.number >= valid_until {
            bail!(
                "the transaction expired: its era ended at block #{valid_until} and the chain is at #{}; make a new \
                 unsigned file and sign it again (the signed file has {} blocks, about {} minutes, to be submitted)",
                head.number,
                unsigned.era.period,
                unsigned.era.period * 12 / 60
            );
        }
        let birth: Option<String> = client
            .rpc()
            .request(
                "chain_getBlockHash",
                subxt::rpcs::rpc_params![unsigned.era.birth_number],
            )
            .await
            .map_err(|e| crate::chain::client::rpc_error("chain_getBlockHash", e))?;
        let on_chain = birth.and_then(|h| hex::decode(h.trim_start_matches("0x")).ok());
        if on_chain.as_deref() != Some(&unsigned.era.birth_hash[..]) {
            bail!(
                "block #{} of this chain is not the block the file was made at; make a new unsigned file",
                unsigned.era.birth_number
            );
        }
        let account = unsigned.signer_account()?;
        let next = tx::next_nonce(client.rpc(), account).await?;
        if next > unsigned.nonce {
            bail!(
                "stale nonce: the transaction was signed with nonce {} but {} has sent a transaction with it since \
                 (its next nonce is {next}); make a new unsigned file and sign it again",
                unsigned.nonce,
                unsigned.signer
            );
        }
        if next < unsigned.nonce {
            bail!(
                "the transaction has nonce {} but {}'s next nonce is {next}: an earlier transaction has not landed \
                 yet; submit that one first or make a new unsigned file",
                unsigned.nonce,
                unsigned.signer
            );
        }
        let built = offline::build(
            client.metadata(),
            &unsigned,
            signed.metadata_hash,
            Signing::Given {
                crypto: crypto_of(&unsigned.crypto),
                bytes: &signed.signature,
            },
        )?;
        if !global.json {
            prompter.say(&render_lines(&built.description));
            prompter.say(&unsigned.mev_shield);
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
        let history = History::default_location()?;
        let sent = extrinsics::send::send_presigned(
            &client,
            &presigned,
            Some(&history),
            &SendOptions {
                wait_for_finalized: true,
                progress: extrinsics::send::Progress::stderr(),
                ..SendOptions::default()
            },
        )
        .await;
        let sent = match sent {
            Err(e) if signed.metadata_hash.mode == 1 && e.to_string().contains("CannotLookup") => {
                bail!("{e}\nThe chain refused the metadata check: {REFUSED_SENTENCE}.")
            }
            other => other?,
        };
        let events: Vec<String> = sent.events.iter().map(|e| e.name()).collect();
        if global.json {
            return print_json(&SubmitJson {
                submitted: true,
                call: presigned.call.clone(),
                extrinsic_hash: extrinsics::send::hex(&sent.extrinsic_hash),
                block_hash: extrinsics::send::hex(&sent.block_hash),
                block_number: sent.block_number,
                events,
                recovered: sent.recovered,
            });
        }
        print_text(&format!(
            "{} in block #{} {}\nextrinsic {}\nevents: {}",
            presigned.call,
            sent.block_number,
            extrinsics::send::hex(&sent.block_hash),
            extrinsics::send::hex(&sent.extrinsic_hash),
            events.join(", ")
        ))
    })
}

/// `taotui metadata export|import`.
pub fn metadata(cmd: MetadataCommand, global: &GlobalArgs) -> Result<()> {
    match cmd {
        MetadataCommand::Export { file } => {
            let rt = runtime()?;
            let raw = rt.block_on(async {
                let client = connect(global).await?;
                raw_metadata_v15(&client, None).await
            })?;
            let held = offline::store::parse(&raw, PathBuf::new())?;
            let path = file.unwrap_or_else(|| {
                PathBuf::from(format!("{}-{}.scale", held.spec_name, held.spec_version))
            });
            crate::config::private_fs::create_private(&path)
                .and_then(|mut f| std::io::Write::write_all(&mut f, &raw))
                .with_context(|| format!("could not write {}", path.display()))?;
            print_text(&format!(
                "Metadata of {} spec {} written to {}: copy it to the offline machine and run `taotui metadata \
                 import {}` there.",
                held.spec_name,
                held.spec_version,
                path.display(),
                path.display()
            ))
        }
        MetadataCommand::Import { file } => {
            let held = MetadataStore::default_location()?.import(&file)?;
            let check = if has_metadata_hash(&held.metadata) {
                format!(
                    "its metadata digest is 0x{}",
                    hex::encode(digest::metadata_hash(&held.raw)?)
                )
            } else {
                "this runtime has no CheckMetadataHash, so signatures cannot commit to the metadata"
                    .to_owned()
            };
            print_text(&format!(
                "Kept the metadata of {} spec {} ({}); {check}.",
                held.spec_name,
                held.spec_version,
                held.path.display()
            ))
        }
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

    #[test]
    fn the_signed_file_is_named_after_the_unsigned_one() {
        assert_eq!(
            default_out(Path::new("/media/usb/stake.json")),
            PathBuf::from("/media/usb/stake.signed.json")
        );
    }
}
