//! `taotui address add|list|remove`: the address book in `<config>/addresses.toml`.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use secrecy::ExposeSecret;
use serde::Serialize;

use super::GlobalArgs;
use super::output::{Table, print_json, print_text};
use super::prompt::Prompter;
use crate::address_book::{
    AddressBook, CONFIRM_CHARS, Known, check_recipient, lookalike_of, own_wallets, resolve_address,
    used_recipients,
};
use crate::chain::history::History;

#[derive(Debug, Subcommand)]
pub enum AddressCommand {
    /// Name an address; the name then works wherever an address is asked for.
    Add {
        /// Letters, digits, '-', '_' and '.' (at most 32).
        name: String,
        /// The SS58 address.
        ss58: String,
    },
    /// Every named address.
    List,
    /// Forget a name.
    Remove { name: String },
}

#[derive(Serialize)]
struct EntryJson<'a> {
    name: &'a str,
    ss58: &'a str,
}

fn book_path() -> Result<PathBuf> {
    AddressBook::default_path()
        .context("no config folder is known on this system; set XDG_CONFIG_HOME")
}

pub fn run(cmd: AddressCommand, global: &GlobalArgs) -> Result<()> {
    let path = book_path()?;
    let mut book = AddressBook::load(&path)?;
    match cmd {
        AddressCommand::Add { name, ss58 } => {
            book.add(&name, &ss58)?;
            let mut known = book.known();
            known.retain(|k| k.name != name);
            if let Ok(root) = taotui_keystore::wallet::WalletRoot::resolve(
                crate::config::wallet_path(
                    global.wallet_path.as_deref(),
                    &crate::config::load_settings()?,
                )
                .as_deref(),
            ) {
                known.extend(own_wallets(&root));
            }
            if let Some(k) = lookalike_of(ss58.trim(), &known) {
                anyhow::bail!(
                    "{} looks like {} ({}) but is a different address (same first and last characters, as in address-poisoning scams); check every character; nothing was added",
                    ss58.trim(),
                    k.ss58,
                    k.name
                );
            }
            book.save(&path)?;
            if global.json {
                return print_json(&EntryJson {
                    name: &name,
                    ss58: ss58.trim(),
                });
            }
            print_text(&format!("Added {name} = {}", ss58.trim()))
        }
        AddressCommand::Remove { name } => {
            let ss58 = book.remove(&name)?;
            book.save(&path)?;
            if global.json {
                return print_json(&EntryJson {
                    name: &name,
                    ss58: &ss58,
                });
            }
            print_text(&format!("Removed {name} ({ss58})"))
        }
        AddressCommand::List => {
            if global.json {
                let list: Vec<EntryJson> = book
                    .entries()
                    .map(|(name, ss58)| EntryJson { name, ss58 })
                    .collect();
                return print_json(&list);
            }
            if book.is_empty() {
                return print_text(&format!(
                    "The address book is empty ({}); add one with `taotui address add NAME SS58`.",
                    path.display()
                ));
            }
            let mut t = Table::new(["name", "address"]);
            for (name, ss58) in book.entries() {
                t.row([name, ss58]);
            }
            print_text(&t.render())
        }
    }
}

/// The book, own wallets (under `--wallet-path` or the configured root) and past recipients.
fn known_addresses(global: &GlobalArgs) -> Result<(AddressBook, Vec<Known>)> {
    let book = AddressBook::load(&book_path()?)?;
    let settings = crate::config::load_settings()?;
    let wallets = taotui_keystore::wallet::WalletRoot::resolve(
        crate::config::wallet_path(global.wallet_path.as_deref(), &settings).as_deref(),
    )
    .map(|root| own_wallets(&root))
    .unwrap_or_default();
    Ok((book, wallets))
}

/// An address option's value (`--ss58`, `--dest`): an SS58 address, an address-book name or a
/// wallet's name, as an SS58 address.
pub fn resolve_option(input: &str, global: &GlobalArgs) -> Result<String> {
    let (book, wallets) = known_addresses(global)?;
    Ok(resolve_address(input, &book, &wallets)?.ss58)
}

/// Resolves a transfer's recipient and checks it before anything is built: says when nothing
/// was ever sent to it from this machine, and refuses a look-alike of a known address unless
/// the user types its last characters (no `-y` for that: a script cannot have looked).
pub fn resolve_recipient(input: &str, option: &str, global: &GlobalArgs) -> Result<String> {
    let (book, wallets) = known_addresses(global)?;
    let resolved = resolve_address(input, &book, &wallets)
        .with_context(|| format!("the recipient ({option})"))?;
    let mut known = book.known();
    known.extend(wallets);
    let used = History::default_location()
        .and_then(|h| h.transactions())
        .map(|records| used_recipients(&records))
        .unwrap_or_default();
    let check = check_recipient(&resolved.ss58, &known, &used);
    let prompter = Prompter::new(None, false);
    if let Some(name) = &resolved.name {
        prompter.say(&format!("Recipient: {name} = {}", resolved.ss58));
    }
    for warning in check.warnings(&resolved.ss58) {
        prompter.say(&format!("! {warning}"));
    }
    if check.lookalike.is_some() {
        let tail: String = {
            let chars: Vec<char> = resolved.ss58.chars().collect();
            chars[chars.len().saturating_sub(CONFIRM_CHARS)..]
                .iter()
                .collect()
        };
        let typed = prompter
            .line(&format!(
                "To send to this address anyway, type its last {CONFIRM_CHARS} characters: "
            ))
            .map(|s| s.expose_secret().trim().to_owned())
            .unwrap_or_default();
        if typed != tail {
            bail!(
                "not sent: {} looks like a known address; check the recipient (nothing was signed)",
                resolved.ss58
            );
        }
    }
    Ok(resolved.ss58)
}
