//! `taotui address add|list|remove`: the address book in `<config>/addresses.toml`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;
use serde::Serialize;

use super::GlobalArgs;
use super::output::{Table, print_json, print_text};
use crate::address_book::{AddressBook, lookalike_of, own_wallets};

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
