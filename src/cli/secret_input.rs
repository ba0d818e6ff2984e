//! Turns what the user typed (mnemonic, seed or secret URI) into a keypair.

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

/// The keypair named by `source`, asking on stdin when no option gave a secret.
pub fn keypair_from_source(source: &SecretSource, prompter: &Prompter) -> Result<Keypair> {
    let scheme = CryptoType::from(source.scheme);
    let text = if let Some(m) = &source.mnemonic {
        SecretString::from(m.clone())
    } else if let Some(s) = &source.seed {
        let s = s.trim();
        if !s.starts_with("0x") || s.contains('/') {
            bail!(
                "--seed takes a 32-byte seed as 0x followed by 64 hex digits; use --uri for paths"
            );
        }
        SecretString::from(s.to_owned())
    } else if let Some(u) = &source.uri {
        SecretString::from(u.clone())
    } else if let Some(path) = &source.secret_file {
        read_password_file(path)
            .with_context(|| format!("reading the secret from {}", path.display()))?
    } else {
        prompter.line("Enter the mnemonic, seed (0x…) or secret URI: ")?
    };
    keypair_from_text(&text, scheme)
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
