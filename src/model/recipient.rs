//! The recipient typed into the transfer and stake-transfer forms: an SS58 address, a name from the address book
//! or an own wallet's name, resolved and checked by the same rules as the CLI (`crate::address_book`): a recipient
//! never sent to before is pointed out, and a look-alike of a known address is held back until the user types its
//! last characters.

use crate::address_book::{
    AddressBook, CONFIRM_CHARS, Known, RecipientCheck, Resolved, Source, check_recipient,
    resolve_address,
};

/// What the forms check a recipient against: the address book and own wallets (`known`), and the addresses sent
/// to before from this machine (`used`, from the history).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recipients {
    pub known: Vec<Known>,
    pub used: Vec<String>,
}

impl Recipients {
    /// The book's (name, address) pairs and the wallets' (name, coldkey address) pairs.
    pub fn new(book: &[(String, String)], wallets: &[(String, String)], used: &[String]) -> Self {
        let known = |list: &[(String, String)], source| {
            list.iter()
                .map(|(name, ss58)| Known {
                    name: name.clone(),
                    ss58: ss58.clone(),
                    source,
                })
                .collect::<Vec<_>>()
        };
        let mut all = known(book, Source::Book);
        all.extend(known(wallets, Source::Wallet));
        Recipients {
            known: all,
            used: used.to_vec(),
        }
    }

    /// What `input` stands for, or the sentence saying why it stands for nothing.
    pub fn resolve(&self, input: &str) -> Result<Resolved, String> {
        let mut book = AddressBook::default();
        for k in self.known.iter().filter(|k| k.source == Source::Book) {
            // The book was validated when it was read; an entry that fails here is left out.
            let _ = book.add(&k.name, &k.ss58);
        }
        let wallets: Vec<Known> = self
            .known
            .iter()
            .filter(|k| k.source == Source::Wallet)
            .cloned()
            .collect();
        resolve_address(input, &book, &wallets).map_err(|e| e.to_string())
    }

    pub fn check(&self, ss58: &str) -> RecipientCheck {
        check_recipient(ss58, &self.known, &self.used)
    }
}

/// The characters the user types to send to a look-alike anyway: its last [`CONFIRM_CHARS`].
pub fn confirm_tail(ss58: &str) -> String {
    let chars: Vec<char> = ss58.chars().collect();
    chars[chars.len().saturating_sub(CONFIRM_CHARS)..]
        .iter()
        .collect()
}

/// An address in groups of 4 characters, to compare with the one the recipient gave.
pub fn grouped(ss58: &str) -> String {
    let chars: Vec<char> = ss58.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}
