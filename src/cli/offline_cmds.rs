//! Air-gapped signing from the command line: `--sign-offline FILE` on the signing commands (online),
//! `taotui sign FILE` (offline), `taotui submit FILE` (online), `taotui metadata export|import`.
//!
//! `taotui sign` never connects: it reads no network setting and builds no client, so it works on a machine that
//! has none, and the call it shows is decoded by its own metadata, not taken from the online side's words.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use serde::Serialize;
use taotui_keystore::wallet::KeyTarget;

use crate::chain::client::ChainClient;
use crate::chain::extrinsics::{self, Prepared, SendOptions};
use crate::chain::history::History;
use crate::chain::mev_shield::ShieldPreview;
use crate::chain::offline::build::{Signing, crypto_of};
use crate::chain::offline::compact::{self, CompactSignature};
use crate::chain::offline::online::{self, REFUSED_SENTENCE, has_metadata_hash, raw_metadata_v15};
use crate::chain::offline::pair::{self, Paired};
use crate::chain::offline::store::MetadataStore;
use crate::chain::offline::{self, Line, MetadataHashMode, SignedTx, UnsignedTx, digest};

use crate::ui::widgets::qr::{too_big_for_qr, transaction_qr_rows};

use super::GlobalArgs;
use super::output::{Table, print_json, print_text};
use super::prompt::Prompter;
use super::stake_cmds::{Signing as SigningWallet, connect, runtime, signing_wallet};

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The unsigned transaction file written by `--sign-offline`, or a file holding its QR code's text
    /// (TAOTUI:U1:…); `-` reads that text from stdin.
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
    /// Do not draw the signature as a QR code (it is drawn only when stdout is a terminal).
    #[arg(long)]
    pub no_qr: bool,
}

#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// The signed transaction written by `taotui sign`; with --signature, the unsigned file; or a file holding
    /// the signature's text (TAOTUI:S1:…), `-` to read it from stdin.
    pub file: Option<PathBuf>,
    /// The signature to attach to the unsigned FILE: the signed file `taotui sign` wrote, or the signature's text
    /// (TAOTUI:S1:…, as text, in a file, or `-` for stdin). Without FILE its unsigned file is found in
    /// <data>/offline/.
    #[arg(long, value_name = "FILE|TEXT")]
    pub signature: Option<String>,
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
    let proposal = online::proposal_of_prepared(prepared, shield)?;
    // The preview already printed the shield's line; the file's is worth saying only where signing offline
    // changes it (a shielded call goes in the clear).
    let said = shield.line();
    write_proposal(client, signing, proposal, path, prompter, json, Some(&said)).await
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
    let proposal = online::proposal_of_payload(client, payload).await?;
    write_proposal(client, signing, proposal, path, prompter, json, None).await
}

async fn write_proposal(
    client: &ChainClient,
    signing: &SigningWallet,
    proposal: online::Proposal,
    path: &Path,
    prompter: &Prompter,
    json: bool,
    already_said: Option<&str>,
) -> Result<()> {
    let unsigned = online::unsigned_tx(client, signing.coldkey, signing.crypto, proposal).await?;
    unsigned.write(path)?;
    if json {
        return print_json(&unsigned);
    }
    if already_said != Some(unsigned.mev_shield.as_str()) {
        prompter.say(&unsigned.mev_shield);
    }
    if unsigned.metadata_hash_refused {
        prompter.say(REFUSED_SENTENCE);
    }
    print_text(&online::next_steps(&unsigned, path))?;
    let text = compact::unsigned_text(&unsigned)?;
    print_text(&format!(
        "Or carry its QR code's text: `taotui sign -` (or a file holding it) on the offline machine reads\n{text}"
    ))?;
    // The code carries the amounts: hidden with them, as anyone watching a shared screen could scan it.
    if std::io::stdout().is_terminal() && !crate::privacy::hidden() {
        print_text(&qr_block("The unsigned transaction's QR code:", &text))?;
    }
    Ok(())
}

/// `text` as a QR code under `title`; ANSI colours make it light on dark whatever the terminal's own colours, as
/// phone cameras need.
fn qr_block(title: &str, text: &str) -> String {
    match transaction_qr_rows(text.as_bytes()) {
        Some(rows) => {
            let mut out = format!("{title}\n");
            for row in rows {
                out.push_str("\x1b[97;40m");
                out.push_str(&row);
                out.push_str("\x1b[0m\n");
            }
            out
        }
        None => too_big_for_qr("", text.len()),
    }
}

/// What `taotui sign` was given: the unsigned file, or the QR code's text (in a file, or `-` for stdin).
fn read_to_sign(file: &Path) -> Result<(UnsignedTx, bool)> {
    let text = if file == Path::new("-") {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("could not read the QR code's text from stdin")?;
        Some(line)
    } else {
        std::fs::read(file)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .filter(|t| compact::is_unsigned_text(t))
    };
    match text {
        Some(text) => Ok((compact::parse_unsigned(&text)?, true)),
        None => Ok((UnsignedTx::read(file)?, false)),
    }
}

fn default_out(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "transaction".to_owned());
    // The app's own names end in `.unsigned.json`; `x.unsigned.signed.json` would read as both.
    let stem = stem.strip_suffix(".unsigned").unwrap_or(&stem);
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
    signature_text: &'a str,
}

/// Offline: decodes, shows, compares, asks, signs. Makes no connection.
pub fn sign(args: SignArgs, global: &GlobalArgs) -> Result<()> {
    offline::forbid_network();
    let prompter = Prompter::new(global.password_file.clone(), global.yes);
    let (mut unsigned, from_text) = read_to_sign(&args.file)?;
    let store = MetadataStore::default_location()?;
    let held = if from_text {
        store.load_version(unsigned.spec_version)?
    } else {
        store.load(&unsigned.spec_name, unsigned.spec_version)?
    };
    if from_text {
        unsigned.spec_name = held.spec_name.clone();
    }
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
    // QR text carries no description to compare: the call is only what the metadata here decodes.
    let differences = if from_text {
        unsigned.call.pallet = preview.pallet.clone();
        unsigned.call.name = preview.call.clone();
        Vec::new()
    } else {
        offline::differences(&unsigned.description, &preview.description)
    };
    if !global.json {
        prompter.say(&format!(
            "Offline signing: no network connection is made. Decoded with the metadata of {} spec {} held here.",
            held.spec_name, held.spec_version
        ));
        prompter.say(&render_lines(&preview.description));
        let mut t = Table::new(["", ""]);
        t.row(["signer".to_owned(), unsigned.signer.clone()]);
        if !from_text {
            t.row([
                "network".to_owned(),
                format!("{} (as the online machine names it)", unsigned.network),
            ]);
        }
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
    let out = args.out.unwrap_or_else(|| {
        if args.file == Path::new("-") {
            PathBuf::from(format!("{}.{}.signed.json", built.pallet, built.call))
        } else {
            default_out(&args.file)
        }
    });
    let signature_text = signature_text(&unsigned, &mode, &built.signature)?;
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
            signature_text: &signature_text,
        });
    }
    print_text(&format!(
        "Signed {}.{} (extrinsic {}). The signed transaction is in {}: take it to the online machine and run \
         `taotui submit {}`.\nOr carry the signature's text (its QR code below), which the online machine pairs \
         with its unsigned file: `taotui submit --signature TEXT`, or s on the History screen.\n{signature_text}",
        built.pallet,
        built.call,
        extrinsics::send::hex(&built.hash),
        out.display(),
        out.display()
    ))?;
    if !args.no_qr && std::io::stdout().is_terminal() {
        print_text(&qr_block("The signature as a QR code:", &signature_text))?;
    }
    Ok(())
}

/// The signature's text for the QR route: the signature, whether it commits to the metadata, and the binding
/// that names the unsigned transaction it was made for (no amounts: it shows even while they are hidden).
fn signature_text(
    unsigned: &UnsignedTx,
    mode: &MetadataHashMode,
    signature: &[u8],
) -> Result<String> {
    let signature = <[u8; 64]>::try_from(signature)
        .map_err(|_| anyhow::anyhow!("the signature is {} bytes, not 64", signature.len()))?;
    Ok(CompactSignature {
        crypto: crypto_of(&unsigned.crypto),
        metadata_hash_mode: mode.mode,
        signature,
        binding: compact::binding(unsigned)?,
    }
    .text())
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
    let prompter = Prompter::new(global.password_file.clone(), global.yes);
    let source = submit_source(&args)?;
    let unsigned = match &source {
        SubmitSource::Files { unsigned, signed } => {
            if signed.unsigned != **unsigned && !global.json {
                prompter.say(
                    "warning: the signature was made for a different transaction than this file; the chain will \
                     refuse it",
                );
            }
            (**unsigned).clone()
        }
        SubmitSource::Text(p) => {
            if !global.json {
                prompter.say(&format!(
                    "The signature is for the unsigned transaction in {}.",
                    p.path.display()
                ));
            }
            p.unsigned.clone()
        }
    };
    let rt = runtime()?;
    rt.block_on(async {
        let client = connect(global).await?;
        let ready = match &source {
            SubmitSource::Files { unsigned, signed } => {
                online::check_and_build(&client, unsigned, signed).await?
            }
            SubmitSource::Text(p) => online::check_and_build_paired(&client, p).await?,
        };
        if !global.json {
            prompter.say(&render_lines(&ready.built.description));
            prompter.say(&unsigned.mev_shield);
        }
        let history = History::default_location()?;
        let sent = online::send_ready(
            &client,
            &ready,
            Some(&history),
            &SendOptions {
                wait_for_finalized: true,
                progress: extrinsics::send::Progress::stderr(),
                ..SendOptions::default()
            },
        )
        .await?;
        let presigned = &ready.presigned;
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

/// What `taotui submit` attaches: a signed file (or a signed file's signature to an unsigned one), or a signature
/// text paired with its unsigned file.
enum SubmitSource {
    Files {
        unsigned: Box<UnsignedTx>,
        signed: Box<SignedTx>,
    },
    Text(Box<Paired>),
}

/// The signature's text if `given` is one (as it is, `-` for stdin, or a file holding it).
fn signature_text_of(given: &str) -> Result<Option<String>> {
    if compact::is_signature_text(given) {
        return Ok(Some(given.to_owned()));
    }
    if given == "-" {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("could not read the signature's text from stdin")?;
        return Ok(Some(line));
    }
    Ok(std::fs::read(given)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .filter(|t| compact::is_signature_text(t)))
}

fn submit_source(args: &SubmitArgs) -> Result<SubmitSource> {
    let offline_dir = crate::config::data_dir().map(|d| d.join("offline"));
    let paired = |text: &str, unsigned: Option<&Path>| -> Result<SubmitSource> {
        Ok(SubmitSource::Text(Box::new(pair::pair(
            text,
            unsigned,
            offline_dir.as_deref(),
        )?)))
    };
    match (&args.file, &args.signature) {
        (file, Some(sig)) => match (signature_text_of(sig)?, file) {
            (Some(text), file) => paired(&text, file.as_deref()),
            (None, Some(file)) => Ok(SubmitSource::Files {
                unsigned: Box::new(UnsignedTx::read(file)?),
                signed: Box::new(SignedTx::read(Path::new(sig))?),
            }),
            (None, None) => bail!(
                "--signature {sig} is neither a signature's text (TAOTUI:S1:…) nor a file holding one; give the \
                 unsigned file with it, or the signed file alone"
            ),
        },
        (Some(file), None) => match signature_text_of(&file.to_string_lossy())? {
            Some(text) => paired(&text, None),
            None => {
                let signed = online::read_signed(file)?;
                Ok(SubmitSource::Files {
                    unsigned: Box::new(signed.unsigned.clone()),
                    signed: Box::new(signed),
                })
            }
        },
        (None, None) => bail!(
            "give the signed file (`taotui submit FILE.signed.json`) or the signature's text (`taotui submit \
             --signature TAOTUI:S1:…`)"
        ),
    }
}

/// `taotui metadata export|import`.
pub fn metadata(cmd: MetadataCommand, global: &GlobalArgs) -> Result<()> {
    match cmd {
        MetadataCommand::Export { file } => {
            let rt = runtime()?;
            let raw = rt.block_on(async {
                let client = connect(global).await?;
                Ok::<_, anyhow::Error>(raw_metadata_v15(&client, None).await?)
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

    fn signed_with_description(text: &str) -> SignedTx {
        let unsigned = UnsignedTx {
            format: offline::UNSIGNED_FORMAT.to_owned(),
            version: offline::file::FILE_VERSION,
            network: "local".to_owned(),
            genesis_hash: [1; 32],
            spec_name: "node-subtensor".to_owned(),
            spec_version: 293,
            transaction_version: 1,
            signer: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY".to_owned(),
            crypto: "sr25519".to_owned(),
            nonce: 0,
            tip: 0,
            era: offline::Era {
                birth_number: 1,
                birth_hash: [2; 32],
                period: 64,
            },
            metadata_hash: MetadataHashMode {
                mode: 0,
                digest: None,
            },
            metadata_hash_refused: false,
            call: offline::UnsignedCall {
                pallet: "Balances".to_owned(),
                name: "transfer_keep_alive".to_owned(),
                bytes: vec![5, 3],
            },
            description: vec![Line {
                label: "call".to_owned(),
                text: text.to_owned(),
            }],
            mev_shield: String::new(),
            preview: serde_json::Value::Null,
        };
        let mode = unsigned.metadata_hash;
        SignedTx::new(unsigned, mode, vec![7; 64], Vec::new(), [3; 32])
    }

    #[test]
    fn the_signature_is_drawn_as_a_qr_code_small_enough_for_80_by_24() {
        let signed = signed_with_description("Balances.transfer_keep_alive");
        let text =
            signature_text(&signed.unsigned, &signed.metadata_hash, &signed.signature).unwrap();
        let parsed = CompactSignature::parse(&text).unwrap();
        assert_eq!(parsed.signature, [7; 64]);
        assert_eq!(parsed.binding, compact::binding(&signed.unsigned).unwrap());
        let block = qr_block("title", &text);
        let rows: Vec<&str> = block.lines().skip(1).collect();
        // Every row light on dark, the same width, made of half blocks.
        for row in &rows {
            let cells = row
                .strip_prefix("\x1b[97;40m")
                .and_then(|r| r.strip_suffix("\x1b[0m"))
                .unwrap_or_else(|| panic!("{row:?}"));
            assert!(cells.chars().all(|c| " ▀▄█".contains(c)), "{cells}");
            // A square code (odd side plus the quiet border) in half-height rows.
            assert_eq!(cells.chars().count(), rows.len() * 2 - 1);
            assert!(cells.chars().count() <= 80);
        }
        // With its title and the text's line it fits a 24-line terminal.
        assert!(rows.len() + 2 <= 24, "{} rows", rows.len());
        assert!(signature_text(&signed.unsigned, &signed.metadata_hash, &[1; 10]).is_err());
    }

    #[test]
    fn sign_reads_the_qr_text_from_a_file_and_keeps_reading_json_files() {
        let dir = tempfile::tempdir().unwrap();
        let unsigned = signed_with_description("x").unsigned;
        let json = dir.path().join("t.unsigned.json");
        unsigned.write(&json).unwrap();
        let (read, from_text) = read_to_sign(&json).unwrap();
        assert!(!from_text);
        assert_eq!(read, unsigned);
        let txt = dir.path().join("t.txt");
        std::fs::write(
            &txt,
            format!("{}\n", compact::unsigned_text(&unsigned).unwrap()),
        )
        .unwrap();
        let (read, from_text) = read_to_sign(&txt).unwrap();
        assert!(from_text);
        assert_eq!(
            compact::binding(&read).unwrap(),
            compact::binding(&unsigned).unwrap()
        );
        std::fs::write(&txt, "TAOTUI:U1:AAAA").unwrap();
        let e = read_to_sign(&txt).unwrap_err().to_string();
        assert!(e.contains("damaged"), "{e}");
    }

    #[test]
    fn submit_pairs_a_signature_text_given_inline_or_in_a_file_and_refuses_another_files() {
        let dir = tempfile::tempdir().unwrap();
        let signed = signed_with_description("x");
        let json = dir.path().join("t.unsigned.json");
        signed.unsigned.write(&json).unwrap();
        let text =
            signature_text(&signed.unsigned, &signed.metadata_hash, &signed.signature).unwrap();
        let text_file = dir.path().join("sig.txt");
        std::fs::write(&text_file, format!("{text}\n")).unwrap();
        for given in [text.clone(), text_file.display().to_string()] {
            let args = SubmitArgs {
                file: Some(json.clone()),
                signature: Some(given),
            };
            match submit_source(&args).unwrap() {
                SubmitSource::Text(p) => {
                    assert_eq!(p.path, json);
                    assert_eq!(p.signature.signature, [7; 64]);
                }
                SubmitSource::Files { .. } => panic!("not paired"),
            }
        }
        let mut other = signed.unsigned.clone();
        other.nonce += 1;
        let other_path = dir.path().join("other.unsigned.json");
        other.write(&other_path).unwrap();
        let args = SubmitArgs {
            file: Some(other_path),
            signature: Some(text),
        };
        let e = submit_source(&args).err().unwrap().to_string();
        assert!(e.contains("made for another unsigned transaction"), "{e}");
        // A signed file with --signature still attaches its signature to the unsigned file, as before.
        let signed_path = dir.path().join("t.signed.json");
        signed.write(&signed_path).unwrap();
        let args = SubmitArgs {
            file: Some(json),
            signature: Some(signed_path.display().to_string()),
        };
        assert!(matches!(
            submit_source(&args).unwrap(),
            SubmitSource::Files { .. }
        ));
        let e = submit_source(&SubmitArgs {
            file: None,
            signature: None,
        })
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("give the signed file"), "{e}");
    }

    #[test]
    fn the_signed_file_is_named_after_the_unsigned_one() {
        assert_eq!(
            default_out(Path::new("/media/usb/stake.json")),
            PathBuf::from("/media/usb/stake.signed.json")
        );
        assert_eq!(
            default_out(Path::new(
                "/d/offline/20261130T024000Z-Balances.transfer_keep_alive.unsigned.json"
            )),
            PathBuf::from("/d/offline/20261130T024000Z-Balances.transfer_keep_alive.signed.json")
        );
    }
}
