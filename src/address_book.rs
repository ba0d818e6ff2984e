//! Named addresses (`<config>/addresses.toml`) and the checks made on a recipient before
//! anything is sent: a name resolves to its address in one place ([`resolve_address`]), an
//! address never sent to before is pointed out, and a look-alike of a known address (address
//! poisoning: a vanity address sharing the first and last characters the user glances at) is
//! refused unless confirmed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use taotui_keystore::ss58;
use taotui_keystore::wallet::{KeyTarget, WalletRoot};

/// Characters compared at each end of an address for the look-alike rule: what a user checks
/// by eye, and what a short display (`5Grwva…utQY`) shows.
pub const LOOKALIKE_HEAD: usize = 4;
pub const LOOKALIKE_TAIL: usize = 4;
/// Longest name in the book.
pub const MAX_NAME_LEN: usize = 32;
/// Characters of a look-alike recipient the user types to send to it anyway (CLI and TUI).
pub const CONFIRM_CHARS: usize = 8;
/// The book's file name in the config folder.
pub const FILE_NAME: &str = "addresses.toml";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error(
        "{0:?} is neither an SS58 address nor a name in the address book or a wallet; list names with `taotui address list`"
    )]
    Unknown(String),
    #[error("{name:?} is not a usable name: {why}")]
    BadName { name: String, why: &'static str },
    #[error("{0:?} is not a valid SS58 address: {1}; copy the address again")]
    BadAddress(String, String),
    #[error(
        "{name:?} is already in the address book as {ss58}; remove it first (`taotui address remove {name}`)"
    )]
    Exists { name: String, ss58: String },
    #[error("there is no {0:?} in the address book")]
    Missing(String),
    #[error("could not read the address book {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("could not write the address book {path}: {reason}")]
    Write { path: String, reason: String },
}

/// Where a resolved address came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Book,
    Wallet,
    /// Typed or pasted as an address.
    Address,
}

/// An address with the name it is known by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Known {
    pub name: String,
    pub ss58: String,
    pub source: Source,
}

/// What a name or address stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolved {
    pub ss58: String,
    /// The name it is known by (also when given as an address).
    pub name: Option<String>,
    pub source: Source,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BookFile {
    #[serde(default)]
    addresses: BTreeMap<String, String>,
}

/// The address book: names to SS58 addresses, sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressBook {
    entries: BTreeMap<String, String>,
}

impl AddressBook {
    /// `<config>/addresses.toml`.
    pub fn default_path() -> Option<PathBuf> {
        crate::config::config_dir().map(|d| d.join(FILE_NAME))
    }

    /// Reads the book at `path`; a missing file is an empty book.
    pub fn load(path: &Path) -> Result<AddressBook, AddressError> {
        let fail = |reason: String| AddressError::Read {
            path: path.display().to_string(),
            reason,
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(fail(e.to_string())),
        };
        let file: BookFile = toml::from_str(&text).map_err(|e| fail(e.message().to_owned()))?;
        let mut book = AddressBook::default();
        for (name, ss58) in file.addresses {
            check_name(&name).map_err(|e| fail(e.to_string()))?;
            check_address(&ss58).map_err(|e| fail(e.to_string()))?;
            book.entries.insert(name, ss58);
        }
        Ok(book)
    }

    /// Writes the book atomically, 0600.
    pub fn save(&self, path: &Path) -> Result<(), AddressError> {
        let file = BookFile {
            addresses: self.entries.clone(),
        };
        let body = toml::to_string(&file).map_err(|e| AddressError::Write {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let text = format!("# taotui address book: name = \"SS58 address\"\n{body}");
        crate::config::private_fs::write_private_atomic(path, text.as_bytes()).map_err(|e| {
            AddressError::Write {
                path: path.display().to_string(),
                reason: e.to_string(),
            }
        })
    }

    pub fn add(&mut self, name: &str, address: &str) -> Result<(), AddressError> {
        check_name(name)?;
        let address = address.trim();
        check_address(address)?;
        if let Some(ss58) = self.entries.get(name) {
            return Err(AddressError::Exists {
                name: name.to_owned(),
                ss58: ss58.clone(),
            });
        }
        self.entries.insert(name.to_owned(), address.to_owned());
        Ok(())
    }

    pub fn remove(&mut self, name: &str) -> Result<String, AddressError> {
        self.entries
            .remove(name)
            .ok_or_else(|| AddressError::Missing(name.to_owned()))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries.get(name).map(String::as_str)
    }

    /// (name, address) pairs, by name.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(n, a)| (n.as_str(), a.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The book as known addresses.
    pub fn known(&self) -> Vec<Known> {
        self.entries()
            .map(|(name, ss58)| Known {
                name: name.to_owned(),
                ss58: ss58.to_owned(),
                source: Source::Book,
            })
            .collect()
    }
}

fn check_name(name: &str) -> Result<(), AddressError> {
    let bad = |why| AddressError::BadName {
        name: name.to_owned(),
        why,
    };
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN {
        return Err(bad("a name has 1 to 32 characters"));
    }
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(bad("use letters, digits, '-', '_' and '.'"));
    }
    if ss58::decode(name).is_ok() {
        return Err(bad("it is itself an address"));
    }
    Ok(())
}

fn check_address(address: &str) -> Result<(), AddressError> {
    ss58::decode(address)
        .map(|_| ())
        .map_err(|e| AddressError::BadAddress(address.to_owned(), e.to_string()))
}

/// Every wallet's coldkey address under `root`, named after its wallet (unreadable ones left out).
pub fn own_wallets(root: &WalletRoot) -> Vec<Known> {
    let Ok(names) = root.wallet_names() else {
        return Vec::new();
    };
    names
        .into_iter()
        .filter_map(|name| {
            let info = root
                .wallet(&name)
                .ok()?
                .key_info(&KeyTarget::Coldkey)
                .ok()??;
            let ss58 = ss58::encode(&info.public_key?, 42);
            Some(Known {
                name,
                ss58,
                source: Source::Wallet,
            })
        })
        .collect()
}

/// The address a name or an address stands for: an SS58 address as is (named if known), else a
/// name in the address book, else a wallet's name. The book comes first: its names are the ones
/// the user chose for recipients.
pub fn resolve_address(
    input: &str,
    book: &AddressBook,
    wallets: &[Known],
) -> Result<Resolved, AddressError> {
    let input = input.trim();
    if ss58::decode(input).is_ok() {
        let name = book
            .entries()
            .find(|(_, a)| *a == input)
            .map(|(n, _)| n.to_owned())
            .or_else(|| {
                wallets
                    .iter()
                    .find(|w| w.ss58 == input)
                    .map(|w| w.name.clone())
            });
        return Ok(Resolved {
            ss58: input.to_owned(),
            name,
            source: Source::Address,
        });
    }
    if let Some(ss58) = book.get(input) {
        return Ok(Resolved {
            ss58: ss58.to_owned(),
            name: Some(input.to_owned()),
            source: Source::Book,
        });
    }
    if let Some(w) = wallets.iter().find(|w| w.name == input) {
        return Ok(Resolved {
            ss58: w.ss58.clone(),
            name: Some(w.name.clone()),
            source: Source::Wallet,
        });
    }
    if looks_like_address(input) {
        // Report why the address is bad rather than "unknown name".
        check_address(input)?;
    }
    Err(AddressError::Unknown(input.to_owned()))
}

/// Long enough and base-58 enough to have been meant as an address.
fn looks_like_address(s: &str) -> bool {
    s.len() >= 40 && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Adds `name` = `ss58` to the book at its default path, refusing a look-alike of a book entry or of `wallets`
/// (the rule of `taotui address add`); the answer is a sentence for the user.
pub fn add_named(name: &str, ss58: &str, wallets: &[Known]) -> Result<String, String> {
    let path = AddressBook::default_path()
        .ok_or_else(|| "there is no config folder to keep the address book in".to_owned())?;
    let mut book = AddressBook::load(&path).map_err(|e| e.to_string())?;
    let mut known = book.known();
    known.extend(wallets.iter().cloned());
    if let Some(k) = lookalike_of(ss58.trim(), &known) {
        return Err(format!(
            "{} looks like {} ({}) but is a different address; not added: check every character",
            ss58.trim(),
            k.ss58,
            k.name
        ));
    }
    book.add(name, ss58).map_err(|e| e.to_string())?;
    book.save(&path).map_err(|e| e.to_string())?;
    Ok(format!("{name} = {} is in the address book.", ss58.trim()))
}

/// Removes `name` from the book at its default path.
pub fn remove_named(name: &str) -> Result<String, String> {
    let path = AddressBook::default_path()
        .ok_or_else(|| "there is no config folder with an address book".to_owned())?;
    let mut book = AddressBook::load(&path).map_err(|e| e.to_string())?;
    let ss58 = book.remove(name).map_err(|e| e.to_string())?;
    book.save(&path).map_err(|e| e.to_string())?;
    Ok(format!("{name} ({ss58}) is no longer in the address book."))
}

/// Whether `a` and `b` differ but share their first [`LOOKALIKE_HEAD`] and last
/// [`LOOKALIKE_TAIL`] characters.
pub fn is_lookalike(a: &str, b: &str) -> bool {
    if a == b {
        return false;
    }
    let (ac, bc): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if ac.len() < LOOKALIKE_HEAD + LOOKALIKE_TAIL || bc.len() < LOOKALIKE_HEAD + LOOKALIKE_TAIL {
        return false;
    }
    ac[..LOOKALIKE_HEAD] == bc[..LOOKALIKE_HEAD]
        && ac[ac.len() - LOOKALIKE_TAIL..] == bc[bc.len() - LOOKALIKE_TAIL..]
}

/// The first known address `ss58` imitates, if any.
pub fn lookalike_of<'a>(ss58: &str, known: &'a [Known]) -> Option<&'a Known> {
    known.iter().find(|k| is_lookalike(ss58, &k.ss58))
}

/// What to tell the user about a recipient before a transfer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecipientCheck {
    /// Nothing was ever sent to it from this machine, and it is neither in the book nor a wallet.
    pub first_time: bool,
    /// A known address it imitates.
    pub lookalike: Option<Known>,
}

impl RecipientCheck {
    /// Sentences for the preview.
    pub fn warnings(&self, ss58: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(k) = &self.lookalike {
            out.push(format!(
                "{ss58} looks like {} ({}) but is a different address: the same first {LOOKALIKE_HEAD} and last {LOOKALIKE_TAIL} characters are how address-poisoning scams fool the eye; check every character.",
                k.ss58, k.name
            ));
        }
        if self.first_time {
            out.push(format!(
                "You have never sent to {ss58} from this machine; check it with the recipient."
            ));
        }
        out
    }
}

/// Checks `ss58` against the known addresses and those sent to before (`used`).
pub fn check_recipient(ss58: &str, known: &[Known], used: &[String]) -> RecipientCheck {
    let is_known = known.iter().any(|k| k.ss58 == ss58) || used.iter().any(|u| u == ss58);
    let lookalike = lookalike_of(ss58, known).cloned().or_else(|| {
        used.iter().find(|u| is_lookalike(ss58, u)).map(|u| Known {
            name: "sent to before".to_owned(),
            ss58: u.clone(),
            source: Source::Address,
        })
    });
    RecipientCheck {
        first_time: !is_known,
        lookalike,
    }
}

/// Recipients of transfers recorded in the history (the call's `dest` or `destination_coldkey`),
/// of those that reached a block.
pub fn used_recipients(records: &[crate::chain::history::HistoryRecord]) -> Vec<String> {
    use crate::chain::history::TxStatus;
    let mut out: Vec<String> = records
        .iter()
        .filter(|r| matches!(r.status, TxStatus::InBlock | TxStatus::Finalized))
        .flat_map(|r| {
            ["dest", "destination_coldkey"]
                .into_iter()
                .filter_map(|k| r.details.get(k).and_then(|v| v.as_str()).map(str::to_owned))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    const BOB: &str = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";

    fn alphabet() -> Vec<char> {
        "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
            .chars()
            .collect()
    }

    #[test]
    fn lookalike_rule() {
        let fake = format!("{}{}{}", &ALICE[..4], &BOB[4..44], &ALICE[44..]);
        assert!(is_lookalike(&fake, ALICE));
        assert!(
            !is_lookalike(ALICE, ALICE),
            "the same address is no look-alike"
        );
        assert!(!is_lookalike(BOB, ALICE));
        // Only the head, or only the tail, is not enough.
        let head_only = format!("{}{}", &ALICE[..4], &BOB[4..]);
        let tail_only = format!("{}{}", &BOB[..44], &ALICE[44..]);
        assert!(!is_lookalike(&head_only, ALICE));
        assert!(!is_lookalike(&tail_only, ALICE));
        assert!(!is_lookalike("5Grw", "5Grw"));
    }

    proptest! {
        #[test]
        fn lookalike_iff_ends_match_and_middle_differs(
            head in proptest::collection::vec(0usize..58, 4),
            tail in proptest::collection::vec(0usize..58, 4),
            mid_a in proptest::collection::vec(0usize..58, 40),
            mid_b in proptest::collection::vec(0usize..58, 40),
            change_end in 0usize..3,
        ) {
            let abc = alphabet();
            let s = |v: &[usize]| v.iter().map(|i| abc[*i]).collect::<String>();
            let a = format!("{}{}{}", s(&head), s(&mid_a), s(&tail));
            let b = format!("{}{}{}", s(&head), s(&mid_b), s(&tail));
            prop_assert_eq!(is_lookalike(&a, &b), mid_a != mid_b);
            prop_assert_eq!(is_lookalike(&a, &b), is_lookalike(&b, &a));
            // Changing one end character makes it no longer a look-alike.
            let mut c: Vec<char> = b.chars().collect();
            let i = [0, 3, 47][change_end];
            c[i] = if c[i] == 'z' { 'y' } else { 'z' };
            let c: String = c.into_iter().collect();
            if c.chars().nth(i) != a.chars().nth(i) {
                prop_assert!(!is_lookalike(&a, &c));
            }
        }
    }

    #[test]
    fn names_resolve_book_first_then_wallets_and_addresses_pass_through() {
        let mut book = AddressBook::default();
        book.add("exchange", BOB).unwrap();
        let wallets = vec![Known {
            name: "main".into(),
            ss58: ALICE.into(),
            source: Source::Wallet,
        }];
        let r = resolve_address("exchange", &book, &wallets).unwrap();
        assert_eq!((r.ss58.as_str(), r.source), (BOB, Source::Book));
        let r = resolve_address("main", &book, &wallets).unwrap();
        assert_eq!((r.ss58.as_str(), r.source), (ALICE, Source::Wallet));
        let r = resolve_address(ALICE, &book, &wallets).unwrap();
        assert_eq!(r.name.as_deref(), Some("main"));
        assert_eq!(r.source, Source::Address);
        assert!(matches!(
            resolve_address("nobody", &book, &wallets),
            Err(AddressError::Unknown(_))
        ));
        let typo = format!("{}X", &ALICE[..47]);
        assert!(matches!(
            resolve_address(&typo, &book, &wallets),
            Err(AddressError::BadAddress(..))
        ));
    }

    #[test]
    fn names_are_checked() {
        let mut book = AddressBook::default();
        for bad in ["", "has space", ALICE, &"x".repeat(33)] {
            assert!(book.add(bad, BOB).is_err(), "{bad:?}");
        }
        assert!(book.add("ok", "5bad").is_err());
        book.add("ok", BOB).unwrap();
        assert!(matches!(
            book.add("ok", ALICE),
            Err(AddressError::Exists { .. })
        ));
        assert_eq!(book.remove("ok").unwrap(), BOB);
        assert!(book.remove("ok").is_err());
    }

    #[test]
    fn the_book_round_trips_through_its_file() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("cfg").join(FILE_NAME);
        assert!(AddressBook::load(&path).unwrap().is_empty());
        let mut book = AddressBook::default();
        book.add("bob", BOB).unwrap();
        book.add("älice", ALICE).unwrap();
        book.save(&path).unwrap();
        assert_eq!(AddressBook::load(&path).unwrap(), book);
        std::fs::write(&path, "[addresses]\nbob = \"5bad\"\n").unwrap();
        assert!(AddressBook::load(&path).is_err());
    }

    #[test]
    fn recipient_checks() {
        let known = vec![Known {
            name: "exchange".into(),
            ss58: ALICE.into(),
            source: Source::Book,
        }];
        let fake = format!("{}{}{}", &ALICE[..4], &BOB[4..44], &ALICE[44..]);
        let c = check_recipient(&fake, &known, &[]);
        assert!(c.first_time);
        assert_eq!(c.lookalike.as_ref().unwrap().name, "exchange");
        assert!(c.warnings(&fake)[0].contains("looks like"));
        let c = check_recipient(ALICE, &known, &[]);
        assert_eq!(c, RecipientCheck::default());
        let c = check_recipient(BOB, &known, &[BOB.to_owned()]);
        assert_eq!(c, RecipientCheck::default(), "sent to before");
        let c = check_recipient(&fake, &[], &[ALICE.to_owned()]);
        assert!(c.lookalike.is_some(), "a look-alike of a past recipient");
    }
}
