//! Turns what the user typed (mnemonic, seed or secret URI) into a keypair.

use std::path::Path;

use anyhow::{Context, Result, bail};
use secrecy::{ExposeSecret, SecretString};
use taotui_keystore::derive::{CryptoType, Keypair};
use taotui_keystore::mnemonic::Mnemonic;

use super::prompt::{Prompter, read_password_file};
use super::{SchemeArg, SecretSource};

impl From<SchemeArg> for CryptoType {
    fn from(s: SchemeArg) -> Self {
        match s {
            SchemeArg::Sr25519 => CryptoType::Sr25519,
            SchemeArg::Ed25519 => CryptoType::Ed25519,
        }
    }
}

/// What to say when a removed secret-taking option is used.
pub fn secret_argument_refused(option: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "{option} no longer takes a secret on the command line (it would stay in shell history and the process list); put the mnemonic, seed or URI in a file and pass --secret-file PATH, pipe it with --secret-file -, or leave both out to be asked"
    )
}

/// The keypair named by `source`, asking on stdin when no option gave a secret.
pub fn keypair_from_source(source: &SecretSource, prompter: &Prompter) -> Result<Keypair> {
    let scheme = CryptoType::from(source.scheme);
    refuse_inline_secrets(source)?;
    let text = match &source.secret_file {
        Some(path) => read_secret_file(path, prompter)?,
        None => prompter.line("Enter the mnemonic, seed (0x…) or secret URI: ")?,
    };
    keypair_from_text(&text, scheme)
}

/// Fails if a removed option put a secret on the command line.
pub fn refuse_inline_secrets(source: &SecretSource) -> Result<()> {
    for (given, option) in [
        (source.mnemonic.is_some(), "--mnemonic"),
        (source.seed.is_some(), "--seed"),
        (source.uri.is_some(), "--uri"),
    ] {
        if given {
            return Err(secret_argument_refused(option));
        }
    }
    Ok(())
}

/// The first line of `path`, or of standard input when `path` is `-`.
pub fn read_secret_file(path: &Path, prompter: &Prompter) -> Result<SecretString> {
    if path == Path::new("-") {
        return prompter.line("");
    }
    read_password_file(path).with_context(|| format!("reading the secret from {}", path.display()))
}

/// Mnemonics go through our own parser first so a typo gets a helpful answer (which word,
/// closest words) instead of a generic "invalid phrase".
pub fn keypair_from_text(text: &SecretString, scheme: CryptoType) -> Result<Keypair> {
    let trimmed = text.expose_secret().trim();
    if trimmed.is_empty() {
        bail!("no mnemonic, seed or secret URI was given");
    }
    if trimmed.starts_with("0x") || trimmed.starts_with('/') {
        return Ok(Keypair::from_suri(
            &SecretString::from(trimmed.to_owned()),
            scheme,
        )?);
    }
    let (phrase, path) = match trimmed.find('/') {
        Some(i) => trimmed.split_at(i),
        None => (trimmed, ""),
    };
    let mnemonic = Mnemonic::parse(phrase)?;
    if path.is_empty() {
        return Ok(Keypair::from_mnemonic(&mnemonic, None, scheme));
    }
    let suri = SecretString::from(format!("{}{}", mnemonic.phrase(), path));
    Ok(Keypair::from_suri(&suri, scheme)?)
}
