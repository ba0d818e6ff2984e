//! The Wallets screen: wallets and their keys as scanned from the wallet root.

use taotui_keystore::wallet::KeyFormat;

use crate::action::RequestId;

/// One key file's public facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyEntry {
    pub name: String,
    pub ss58: Option<String>,
    pub format: KeyFormat,
    pub problem: Option<String>,
}

impl KeyEntry {
    /// "locked", "unencrypted" or "watch-only": what unlocking this key needs.
    pub fn lock_state(&self) -> &'static str {
        match self.format {
            KeyFormat::PubOnly => "watch-only",
            f if f.is_encrypted() => "locked",
            _ => "unencrypted",
        }
    }
}

/// A wallet folder: its coldkey (if any) and hotkeys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletEntry {
    pub name: String,
    pub coldkey: Option<KeyEntry>,
    pub hotkeys: Vec<KeyEntry>,
}

/// A row of the wallet list: a wallet, or one of its hotkeys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalletRow {
    pub wallet: usize,
    pub hotkey: Option<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct WalletsState {
    pub entries: Vec<WalletEntry>,
    /// The scan the model waits for.
    pub scanning: Option<RequestId>,
    pub loaded: bool,
    pub error: Option<String>,
    /// Index into `rows()`.
    pub selected: usize,
    /// The address book: (name, SS58 address), by name.
    pub addresses: Vec<(String, String)>,
    pub addresses_pending: Option<RequestId>,
    pub addresses_error: Option<String>,
}

impl WalletsState {
    pub fn rows(&self) -> Vec<WalletRow> {
        let mut rows = Vec::new();
        for (w, entry) in self.entries.iter().enumerate() {
            rows.push(WalletRow {
                wallet: w,
                hotkey: None,
            });
            for h in 0..entry.hotkeys.len() {
                rows.push(WalletRow {
                    wallet: w,
                    hotkey: Some(h),
                });
            }
        }
        rows
    }

    pub fn selected_row(&self) -> Option<WalletRow> {
        self.rows().get(self.selected).copied()
    }

    pub fn selected_wallet(&self) -> Option<&WalletEntry> {
        self.selected_row().and_then(|r| self.entries.get(r.wallet))
    }

    /// The key the selected row stands for (the coldkey for a wallet row).
    pub fn selected_key(&self) -> Option<&KeyEntry> {
        let row = self.selected_row()?;
        let wallet = self.entries.get(row.wallet)?;
        match row.hotkey {
            Some(h) => wallet.hotkeys.get(h),
            None => wallet.coldkey.as_ref(),
        }
    }

    pub fn has_wallet(&self, name: &str) -> bool {
        self.entries.iter().any(|w| w.name == name)
    }

    pub fn move_selection(&mut self, delta: isize) {
        let len = self.rows().len();
        if len == 0 {
            self.selected = 0;
            return;
        }
        let next = self.selected.saturating_add_signed(delta);
        self.selected = next.min(len - 1);
    }

    /// Keeps the selection on the wallet named `name` after a rescan, if it still exists.
    pub fn select_wallet(&mut self, name: &str) {
        if let Some(i) = self.rows().iter().position(|r| {
            r.hotkey.is_none() && self.entries.get(r.wallet).is_some_and(|w| w.name == name)
        }) {
            self.selected = i;
        }
    }
}
